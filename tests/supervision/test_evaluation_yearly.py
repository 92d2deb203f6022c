"""One evaluation per institution and year, on Q4 against the Q4 before, opened by the calendar
once the Q4 returns are due; the quarters feed monitoring only ("on 2025Q3's figures this bank
would score ..."), with no self-assessment and no grade; quarterly results made before are
migrated to monitoring."""

from datetime import timedelta
from decimal import Decimal as D
from importlib import import_module

import pytest
from django.apps import apps
from django.urls import reverse

from portal.models import Institution, Role
from reporting.models import RequestSource
from supervision.evaluation import services
from supervision.evaluation.models import Evaluation, EvaluationStatus, MonitoringScore
from tests import factories as f
from tests.supervision.test_evaluation_results import COUNTY_ROWS

pytestmark = pytest.mark.django_db
migration = import_module("supervision.migrations.0017_yearly_evaluations")


@pytest.fixture
def bank():
    gb = f.office("000000", "总局")
    p1 = f.office("350000", "甲省局", gb)
    return f.InstitutionFactory(office=p1)


def test_a_quarter_is_monitored_and_opens_no_evaluation(bank):
    f.accepted_return(bank, "2025Q3", rows=COUNTY_ROWS)
    tally = services.score_institutions("2025Q3", Institution.objects.filter(pk=bank.pk))
    assert tally.scored == 1
    assert not Evaluation.objects.exists()
    watched = MonitoringScore.objects.get(institution=bank, period="2025Q3")
    assert watched.total is not None and watched.result["lines"]
    assert not hasattr(watched, "grade")  # monitoring never grades
    again = services.score_institutions("2025Q3", Institution.objects.filter(pk=bank.pk))
    assert (again.scored, again.unchanged) == (0, 1)


def test_the_year_opens_the_day_after_its_q4_returns_are_due(bank, settings):
    settings.PORTAL_RETURN_DUE_DAYS = 25
    assert services.opens_on(2025).isoformat() == "2026-01-26"
    f.accepted_return(bank, "2025Q4", rows=COUNTY_ROWS)
    services.open_due_years(services.opens_on(2025) - timedelta(days=1))
    assert not Evaluation.objects.exists()
    services.open_due_years(services.opens_on(2025))
    evaluation = Evaluation.objects.get(institution=bank)
    assert (evaluation.period, evaluation.status) == ("2025", EvaluationStatus.SELF_ASSESSMENT)
    assert evaluation.grade is not None
    services.open_due_years(services.opens_on(2025) + timedelta(days=1))
    assert Evaluation.objects.count() == 1  # one evaluation a year, however often beat runs


def test_a_bank_asked_to_file_gets_its_evaluation_even_without_its_q4_return(bank):
    f.ReturnRequestFactory(institution=bank, period="2025Q2", source=RequestSource.SCHEDULE)
    services.open_due_years(services.opens_on(2025))
    evaluation = Evaluation.objects.get(institution=bank, period="2025")
    assert not evaluation.complete  # its figures are named as missing on the scorecard


def test_the_years_evaluation_reads_q4_against_the_q4_before(bank):
    f.accepted_return(bank, "2024Q4", rows=[r | {"issued_rate": D("4.00")} for r in COUNTY_ROWS])
    f.accepted_return(bank, "2025Q3", rows=[r | {"sme_balance": 1} for r in COUNTY_ROWS])
    evaluation = f.scored_evaluation(bank, "2025", rows=COUNTY_ROWS)
    lines = {line["code"]: line for line in evaluation.result["lines"]}
    assert lines["CS1"]["inputs"]["sme_balance"] == "1100"  # Q4's, not Q3's
    assert lines["CS5"]["inputs"] == {"issued_rate": "4.1", "year_end_issued_rate": "4"}


def test_the_office_sees_the_early_warnings_and_the_bank_does_not(bank, client_for):
    evaluation = f.scored_evaluation(bank, "2025", rows=COUNTY_ROWS)
    f.accepted_return(bank, "2026Q2", rows=COUNTY_ROWS)
    services.score_filed(bank.pk, "2026Q2")
    watched = MonitoringScore.objects.get(period="2026Q2")
    office = client_for(f.member(Role.VIEWER, office=bank.office))
    page = office.get(reverse("evaluation-detail", args=[evaluation.pk])).content.decode()
    assert f"On 2026Q2's figures this institution would score {watched.total}." in page
    Evaluation.objects.filter(pk=evaluation.pk).update(status=EvaluationStatus.NOTIFIED)
    preparer = client_for(f.member(Role.PREPARER, institution=bank))
    page = preparer.get(reverse("evaluation-detail", args=[evaluation.pk])).content.decode()
    assert 'data-testid="scorecard"' in page and "early-warnings" not in page


def test_quarterly_evaluations_are_migrated_to_monitoring(bank):
    """Evaluations made per quarter before: Q1-Q3 become monitoring, Q4 the year's."""
    made = {}
    for period in ("2025Q2", "2025Q4"):
        made[period] = Evaluation.objects.create(
            institution=bank,
            period=period,
            scheme_version="2025",
            result={"lines": []},
            total=D("61.50"),
            grade=3,
            band="B",
            status=EvaluationStatus.REVIEW,
        )
    migration.forwards(apps, None)
    assert list(Evaluation.objects.values_list("period", "status")) == [("2025", "review")]
    assert sorted(MonitoringScore.objects.values_list("period", "total")) == [
        ("2025Q2", D("61.50")),
        ("2025Q4", D("61.50")),
    ]
    migration.backwards(apps, None)
    assert list(Evaluation.objects.values_list("period", flat=True)) == ["2025Q4"]
