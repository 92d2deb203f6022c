"""The quarter's sums the dashboards read (``OfficeLending`` per office, ``InstitutionLending``
per institution in it) stay equal to the sums over the accepted returns in force as returns
are accepted, superseded by a newer version, and filed again after their period is reopened;
and the General Bureau's figures from them are those added up from the returns themselves."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from portal.models import Institution, Office, Role
from reporting import filings, schedule
from reporting.models import Filing, FilingStatus, ReturnRequest
from reporting.specs import spec_for_period
from supervision.dashboards import figures, lending_rows
from supervision.dashboards.models import (
    SUMMARY_FIGURES,
    InstitutionLending,
    LendingRow,
    LendingSummary,
    OfficeLending,
)
from tests import factories as f
from tests.reporting.returns import loan_row

pytestmark = pytest.mark.django_db

PERIOD = "2025Q3"
SCORING = "supervision.evaluation.tasks.score_institution.delay"


def _add(total: Decimal | None, value: Decimal | None) -> Decimal | None:
    """A sum as SQL's SUM adds: blank while every value is blank."""
    if value is None:
        return total
    return value if total is None else total + value


def _expected() -> tuple[dict, dict]:
    """The sums over the summaries of the accepted SME-LOANS returns in force, worked out
    here: per (quarter, office path, own) and per (quarter, office path, institution)."""
    offices: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(SUMMARY_FIGURES))
    institutions: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(SUMMARY_FIGURES))
    versions: dict[tuple, dict] = defaultdict(lambda: defaultdict(set))
    in_force = LendingSummary.objects.filter(
        filing__spec_code="SME-LOANS",
        filing__is_current=True,
        filing__status=FilingStatus.ACCEPTED,
        filing__check_only=False,
    ).select_related("filing")
    for summary in in_force:
        filing = summary.filing
        by_office = offices[(filing.period, summary.path, summary.own)]
        by_institution = institutions[(filing.period, summary.path, filing.institution_id)]
        for key in SUMMARY_FIGURES:
            by_office[key] = _add(by_office[key], getattr(summary, key))
            by_institution[key] = _add(by_institution[key], getattr(summary, key))
        versions[(filing.period, summary.path, filing.institution_id)][filing.spec_version].add(
            filing.pk
        )
    for key, counted in versions.items():
        institutions[key]["versions"] = {v: len(ids) for v, ids in counted.items()}
    return dict(offices), dict(institutions)


def _kept() -> tuple[dict, dict]:
    offices = {
        (o.period, o.path, o.own): {key: getattr(o, key) for key in SUMMARY_FIGURES}
        for o in OfficeLending.objects.all()
    }
    institutions = {
        (i.period, i.path, i.institution_id): {
            **{key: getattr(i, key) for key in SUMMARY_FIGURES},
            "versions": i.versions,
        }
        for i in InstitutionLending.objects.all()
    }
    return offices, institutions


def _assert_kept_equal_to_returns_in_force(gb: Office) -> None:
    assert _kept() == _expected()
    # The General Bureau's page, from the kept sums, adds up what the returns in force hold
    # (every county of these returns is placed), and as the page of a user who does not
    # supervise every institution adds it up from the returns' summaries.
    in_force = LendingRow.objects.filter(
        filing__is_current=True, filing__status=FilingStatus.ACCEPTED, filing__period=PERIOD
    )
    balance = sum((r.sme_balance for r in in_force), Decimal(0))
    kept = figures.subtree_figures(gb, PERIOD)
    added = figures.subtree_figures(gb, PERIOD, among=Institution.objects.all())
    assert kept.sums.get("sme_balance", Decimal(0)) == balance
    assert kept.sums == added.sums and kept.versions == added.versions
    assert [(r.institution_id, r.sums) for r in kept.institutions] == [
        (r.institution_id, r.sums) for r in added.institutions
    ]
    assert [(r.office, r.sums) for r in kept.units] == [(r.office, r.sums) for r in added.units]


def _submitted(bank, rows, request=None) -> Filing:
    version = spec_for_period("SME-LOANS", PERIOD).version
    request = request or f.ReturnRequestFactory(
        institution=bank, spec_code="SME-LOANS", spec_version=version, period=PERIOD
    )
    filing = f.FilingFactory(request=request, status=FilingStatus.SUBMITTED)
    f.store_rows(filing, rows)
    return filing


def _accept(filing: Filing, django_capture_on_commit_callbacks) -> None:
    reviewer = f.member(Role.REVIEWER, office=filing.institution.office)
    with mock.patch(SCORING), django_capture_on_commit_callbacks(execute=True):
        filings.filing_accept(reviewer, filing)


def test_accepting_superseding_and_refiling_after_reopening_keep_the_sums_in_force(
    matrix, django_capture_on_commit_callbacks
):
    m = matrix
    gb = Office.objects.get(pk=m.gb.pk)
    first = _submitted(
        m.bank_a, [loan_row(m.county_a.code), loan_row(m.county_b.code, sme_balance=500)]
    )
    _accept(first, django_capture_on_commit_callbacks)
    _assert_kept_equal_to_returns_in_force(gb)
    assert OfficeLending.objects.filter(period=PERIOD, path=m.gb.path).exists()

    other = _submitted(m.bank_b, [loan_row(m.county_c.code, sme_balance=300)])
    _accept(other, django_capture_on_commit_callbacks)
    _assert_kept_equal_to_returns_in_force(gb)

    # A newer version moves bank_a's lending out of county_a into county_c: county_a's
    # offices no longer hold any of it.
    request = first.request
    second = _submitted(m.bank_a, [loan_row(m.county_c.code, sme_balance=800)], request)
    _accept(second, django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert first.status == FilingStatus.ACCEPTED and not first.is_current
    _assert_kept_equal_to_returns_in_force(gb)
    assert not OfficeLending.objects.filter(path=m.county_a.path).exists()
    assert figures.subtree_figures(gb, PERIOD).sums["sme_balance"] == Decimal(1100)

    # The period closes, the office reopens it and the bank files a third version, one
    # figure left blank: blank stays blank (not reported), never 0.
    ReturnRequest.objects.filter(pk=request.pk).update(closed_at=timezone.now())
    request.refresh_from_db()
    until = timezone.localdate() + timedelta(days=10)
    schedule.request_reopen(m.users["p1_head"], request, until, "系统故障补报")
    third = _submitted(
        m.bank_a,
        [loan_row(m.county_b.code, sme_balance=250, credit_balance=None)],
        request,
    )
    _accept(third, django_capture_on_commit_callbacks)
    _assert_kept_equal_to_returns_in_force(gb)
    assert figures.subtree_figures(gb, PERIOD).sums["sme_balance"] == Decimal(550)
    bank_a = InstitutionLending.objects.get(period=PERIOD, path=m.gb.path, institution=m.bank_a)
    assert bank_a.credit_balance is None and bank_a.sme_balance == Decimal(250)
    assert bank_a.versions == {third.spec_version: 1}


def test_the_sweep_rewrites_missing_sums_from_the_returns_in_force(matrix):
    """The sweep rewrites the quarter's sums that are missing (after an upgrade, or where the
    acceptance's write failed), from the returns in force at that moment."""
    m = matrix
    gb = Office.objects.get(pk=m.gb.pk)
    f.accepted_loans(m.bank_a, [loan_row(m.county_a.code)])
    f.accepted_loans(m.bank_b, [loan_row(m.county_c.code)], period="2025Q2")
    OfficeLending.objects.all().delete()
    InstitutionLending.objects.all().delete()
    assert figures.subtree_figures(gb, PERIOD).sums.get("sme_balance") is None

    lending_rows.record_missing()
    _assert_kept_equal_to_returns_in_force(gb)
    assert figures.subtree_figures(gb, PERIOD).sums["sme_balance"] == Decimal(1000)
    assert InstitutionLending.objects.filter(institution=m.bank_a, period=PERIOD).exists()


def test_the_general_bureau_reads_the_kept_sums_and_a_province_head_the_returns(matrix, client_for):
    """A head of the General Bureau supervises every institution: their page reads the kept
    sums; a province head's counts only the institutions they supervise, as before."""
    from supervision.dashboards.panels import Subject

    m = matrix
    f.accepted_loans(m.bank_a, [loan_row(m.county_a.code)])
    gb_head, p1_head = m.users["gb_head"], m.users["p1_head"]
    assert Subject(gb_head, m.gb, PERIOD).sees_every_institution
    assert not Subject(p1_head, m.p1, PERIOD).sees_every_institution
    for user, office in ((gb_head, m.gb), (p1_head, m.p1)):
        response = client_for(user).get(f"/dashboards/{office.code}/", {"period": PERIOD})
        assert response.status_code == 200
