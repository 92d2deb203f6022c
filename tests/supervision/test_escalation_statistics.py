"""Statistics of escalation cases: by cause, by level reached, by time to close; the page, the
Excel export (formulas escaped) and the figures of an office's subtree for the dashboards."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.models import Role
from supervision.escalation import climbing, raising
from supervision.escalation import services as escalation
from supervision.escalation import statistics as case_statistics
from supervision.escalation.models import Case
from tests import factories as f

START = datetime(2026, 2, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def cases(matrix, time_machine):
    """In province 1 at START: a low-grade case closed after 9 days, a low-grade case that
    climbed from county A to the city, and a return-overdue case still at the province."""
    time_machine.move_to(START, tick=False)
    reviewer = f.member(Role.REVIEWER, office=matrix.county_a)
    bank = f.InstitutionFactory(name_zh="=HYPERLINK(统计银行)", office=matrix.p1)
    closing = f.BranchFactory(institution=bank, office=matrix.county_a)
    climbing_branch = f.BranchFactory(institution=bank, office=matrix.county_a)
    closed = raising.escalation_raise(f.cause(bank, branch=closing, measure=4))
    climbed = raising.escalation_raise(f.cause(bank, branch=climbing_branch, measure=3))
    overdue = raising.escalation_raise(f.cause(bank, kind="return-overdue", measure=20))

    time_machine.move_to(START + timedelta(days=9), tick=False)
    escalation.action_record(reviewer, closed, "talk", timezone.localdate(), "约谈")
    escalation.case_close(reviewer, closed, "=整改完成")
    Case.objects.filter(pk=climbed.pk).update(deadline=START + timedelta(days=1))
    climbing.climb_overdue()
    return {"closed": closed, "climbed": climbed, "overdue": overdue}


def test_figures_by_cause_level_and_time_to_close(matrix, cases):
    figures = case_statistics.figures(
        case_statistics.in_subtree(matrix.p1).filter(pk__in=[c.pk for c in cases.values()])
    )
    assert (figures.total, figures.open, figures.closed, figures.escalated) == (3, 2, 1, 1)
    assert figures.average_days_to_close == 9.0
    by_cause = {row.kind: row for row in figures.by_cause}
    assert (by_cause["low-grade"].cases, by_cause["low-grade"].closed) == (2, 1)
    assert by_cause["return-overdue"].cases == 1
    assert by_cause["complaint-overdue"].cases == 0
    by_level = {row.level: row.cases for row in figures.by_level}
    assert by_level == {4: 1, 3: 1, 2: 1, 1: 0}
    assert dict(figures.close_bands) == {"0-15": 1, "16-30": 0, "31-60": 0, "61+": 0}


def test_an_office_subtree_counts_only_what_sits_in_it(matrix, cases):
    assert not case_statistics.in_subtree(matrix.p2).filter(pk=cases["closed"].pk).exists()
    # The case that climbed from county A to the city is no longer county A's.
    at_county = case_statistics.in_subtree(matrix.county_a)
    assert not at_county.filter(pk=cases["climbed"].pk).exists()
    assert at_county.filter(pk=cases["closed"].pk).exists()


def test_the_page_and_the_export(matrix, cases, client):
    client.force_login(matrix.users["p1_head"])
    page = client.get(reverse("escalation-statistics"))
    assert page.status_code == 200
    assert page.context["figures"].total >= 3

    response = client.get(
        reverse("escalation-statistics-export"), {"start": "2026-02-01", "end": "2026-02-28"}
    )
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(response.content))
    stats, listing = workbook.worksheets
    assert stats["A1"].value == "触发原因 Cause"
    rows = {row[0]: row for row in listing.iter_rows(min_row=2, values_only=True)}
    closed = rows[cases["closed"].pk]
    # Typed text that a spreadsheet would run as a formula is written as text.
    assert closed[1] == "'=HYPERLINK(统计银行)" and closed[-1] == "'=整改完成"
    assert closed[12] == 9.0
    assert set(rows) == {c.pk for c in cases.values()}  # not the matrix's, opened later

    # Filtered to before START: nothing.
    response = client.get(reverse("escalation-statistics-export"), {"end": "2026-01-01"})
    listing = load_workbook(io.BytesIO(response.content)).worksheets[1]
    assert listing.max_row == 1


def test_banks_have_no_statistics(matrix, client):
    client.force_login(matrix.users["bank_a"])
    assert client.get(reverse("escalation-statistics")).status_code == 404


def test_the_dashboard_shows_the_subtrees_cases(matrix, client):
    assert matrix.case_a2.office == matrix.city1  # the matrix builds escalation's part
    client.force_login(matrix.users["p1_head"])
    page = client.get(reverse("dashboard", kwargs={"code": matrix.city1.code}))
    panel = page.content.decode().split('data-testid="panel-escalation"')[1].split("</section>")[0]
    # At the city and below: the case at county A and the one that climbed to the city.
    assert "2 cases, 2 not closed, 1 escalated at least once." in panel
    assert 'data-testid="escalation-cause-low-grade"' in panel
    client.force_login(matrix.users["county_b"])
    page = client.get(reverse("dashboard", kwargs={"code": matrix.county_b.code}))
    assert 'data-testid="panel-escalation"' not in page.content.decode()
