"""An accepted SME-LOANS return's figures are written as numbers for the dashboards: on
acceptance, exactly as filed, once; and by the sweep for an accepted return still without
them (a process died between the acceptance's commit and the receiver)."""

from decimal import Decimal
from unittest import mock

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import DatabaseError

from portal.models import Office, Role
from reporting import filings
from reporting.models import Filing, FilingStatus
from reporting.specs import spec_for_period
from supervision.dashboards import figures, lending_rows
from supervision.dashboards.models import LendingRow, LendingSummary
from tests import factories as f
from tests.reporting.returns import loan_row, revised_row

pytestmark = pytest.mark.django_db

SCORING = "supervision.evaluation.tasks.score_institution.delay"


def _submitted(bank, rows, spec_code="SME-LOANS", period="2025Q3"):
    version = spec_for_period(spec_code, period).version
    request = f.ReturnRequestFactory(
        institution=bank, spec_code=spec_code, spec_version=version, period=period
    )
    filing = f.FilingFactory(request=request, status=FilingStatus.SUBMITTED)
    f.store_rows(filing, rows)
    return filing


def _accept(filing, django_capture_on_commit_callbacks):
    reviewer = f.member(Role.REVIEWER, office=filing.institution.office)
    with mock.patch(SCORING), django_capture_on_commit_callbacks(execute=True):
        filings.filing_accept(reviewer, filing)


def test_accepting_a_return_writes_its_figures_exactly_as_filed(
    matrix, django_capture_on_commit_callbacks
):
    rows = [
        loan_row(matrix.county_a.code, sme_balance="1234567890123.45", issued_rate="3.8512"),
        loan_row(matrix.county_b.code, first_time=0),
    ]
    filing = _submitted(matrix.bank_a, rows)
    assert not LendingRow.objects.filter(filing=filing).exists()

    _accept(filing, django_capture_on_commit_callbacks)

    written = {r.county_id: r for r in LendingRow.objects.filter(filing=filing)}
    assert set(written) == {matrix.county_a.code, matrix.county_b.code}
    first = written[matrix.county_a.code]
    assert first.sme_balance == Decimal("1234567890123.45")
    assert first.issued_rate == Decimal("3.8512")
    assert first.consumption_balance == Decimal(30)
    assert written[matrix.county_b.code].first_time == 0


def test_a_return_of_another_kind_writes_nothing(matrix, django_capture_on_commit_callbacks):
    filing = _submitted(matrix.bank_a, [loan_row(matrix.county_a.code)], spec_code="SME-LOANS")
    filing.spec_code = "SME-INSURANCE"
    filing.save(update_fields=["spec_code"])
    _accept(filing, django_capture_on_commit_callbacks)
    assert not LendingRow.objects.exists()


def test_writing_again_changes_nothing(matrix):
    filing = f.accepted_loans(matrix.bank_a, [loan_row(matrix.county_a.code)])
    assert LendingRow.objects.filter(filing=filing).count() == 1
    assert lending_rows.record(Filing.objects.filter(pk=filing.pk)) == 0
    assert lending_rows.record_missing() == 0
    assert LendingRow.objects.count() == 1


def test_the_sweep_writes_accepted_returns_in_force_left_without_figures(matrix):
    lost = f.accepted_loans(matrix.bank_a, [loan_row(matrix.county_a.code)])
    returned = f.accepted_loans(matrix.bank_b, [loan_row(matrix.county_c.code)])
    LendingRow.objects.all().delete()
    returned.status = FilingStatus.RETURNED
    returned.save(update_fields=["status"])

    assert lending_rows.record_missing() == 1
    assert list(LendingRow.objects.values_list("filing", flat=True)) == [lost.pk]


def test_a_2023_return_has_no_key_areas_and_an_unknown_county_is_placed_nowhere(matrix):
    old = loan_row(matrix.county_a.code, sme_balance=800)
    filing = f.accepted_loans(matrix.bank_a, [old], period="2024Q3", version="2023")
    row = LendingRow.objects.get(filing=filing)
    assert (row.sme_balance, row.technology_balance) == (Decimal(800), None)

    f.accepted_loans(matrix.bank_b, [loan_row("999999"), loan_row(matrix.county_c.code)])
    assert LendingRow.objects.filter(county_id="999999").exists()
    found = figures.subtree_figures(Office.objects.get(code=matrix.gb.code), "2025Q3")
    assert found.headline[0].value == Decimal(1000)


def test_a_failure_to_write_them_does_not_undo_the_acceptance(
    matrix, django_capture_on_commit_callbacks, caplog
):
    filing = _submitted(matrix.bank_a, [loan_row(matrix.county_a.code)])
    broken = mock.patch.object(lending_rows, "record", side_effect=DatabaseError("disk full"))
    with broken:
        _accept(filing, django_capture_on_commit_callbacks)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.ACCEPTED
    assert "the sweep will" in caplog.text
    assert lending_rows.record_missing() == 1


def test_migrating_writes_those_of_returns_accepted_before_they_existed(matrix):
    filing = f.accepted_loans(matrix.bank_a, [loan_row(matrix.county_a.code)])
    LendingRow.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert list(LendingRow.objects.values_list("filing", flat=True)) == [filing.pk]


def test_each_version_is_read_by_its_own_columns_and_lacks_the_others(matrix):
    """A figure a version does not carry is written blank ("not reported"), never zero,
    whatever the order in which the versions add their columns."""
    for version, period in (
        ("2023", "2023Q2"),
        ("2023.2", "2024Q2"),
        ("2025", "2025Q2"),
        ("2025.2", "2026Q2"),
    ):
        f.accepted_loans(
            matrix.bank_a, [revised_row(matrix.county_a.code)], period, version=version
        )
    rows = {r.filing.spec_version: r for r in LendingRow.objects.select_related("filing")}
    assert {v: rows[v].sme_balance for v in rows} == dict.fromkeys(rows, Decimal(1000))
    assert rows["2023"].technology_balance is None and rows["2023"].green_balance is None
    assert rows["2023.2"].hard_hit_balance == 200 and rows["2023.2"].private_balance is None
    assert rows["2023.2"].green_balance == 70 and rows["2023.2"].technology_balance is None
    assert rows["2025"].technology_balance == 60 and rows["2025"].green_balance is None
    assert rows["2025.2"].private_balance == 400 and rows["2025.2"].hard_hit_balance is None
    assert rows["2025.2"].financing_cost == Decimal("4.25")


def test_a_return_is_summed_once_for_every_office_above_its_counties(matrix):
    """Each office's summary of a return adds up the rows of the counties under it (``own``:
    those it covers itself); the General Bureau's holds the whole return."""
    m = matrix
    rows = [loan_row(m.county_a.code, sme_balance=700), loan_row(m.county_b.code)]
    filing = f.accepted_loans(m.bank_a, rows)
    lending = list(LendingRow.objects.filter(filing=filing).select_related("county__office"))
    summaries = list(LendingSummary.objects.filter(filing=filing))
    assert {s.path for s in summaries} >= {m.gb.path, m.p1.path}
    for summary in summaries:
        under = [
            r.sme_balance
            for r in lending
            if r.county.office.path.startswith(summary.path)
            and (not summary.own or r.county.office.path == summary.path)
        ]
        assert summary.sme_balance == sum(under), summary.path
    whole = sum(s.sme_balance for s in summaries if s.path == m.gb.path)
    assert whole == Decimal(1700)

    assert lending_rows.record(Filing.objects.filter(pk=filing.pk)) == 0
    assert LendingSummary.objects.filter(filing=filing).count() == len(summaries)
    LendingSummary.objects.all().delete()
    lending_rows.record_missing()
    assert LendingSummary.objects.filter(filing=filing).count() == len(summaries)


def test_the_weighted_averages_keep_their_weights_in_the_summary(matrix):
    rows = [
        revised_row(matrix.county_a.code, issued_ytd=600, issued_rate=4, financing_cost=5),
        revised_row(matrix.county_b.code, issued_ytd=200, issued_rate=3, financing_cost=None),
    ]
    filing = f.accepted_loans(matrix.bank_a, rows, version="2025.2")
    blank = LendingRow.objects.get(filing=filing, county=matrix.county_b.code)
    assert blank.financing_cost is None  # a blank cell is no figure, not 0
    top = LendingSummary.objects.get(filing=filing, path=matrix.gb.path)
    assert top.rate_weight == Decimal(3000)  # 4 x 600 + 3 x 200
    # The row without the cost carries no weight: 5 x 600 over 600 issued.
    assert (top.cost_weight, top.cost_issued) == (Decimal(3000), Decimal(600))
