"""Evaluation results stored from accepted returns: inputs summed from the stored rows,
history kept and re-scoring idempotent, scoring on acceptance and by period, the ranking and
scorecard pages and their workbooks, and figures for dashboards."""

import io
from decimal import Decimal as D
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from portal.models import Institution, InstitutionKind, OutboxMessage, Role
from reporting import filings
from reporting.models import FilingStatus
from supervision.evaluation import selectors
from supervision.evaluation import services as service
from supervision.evaluation.models import (
    Arrangement,
    Evaluation,
    EvaluationStatus,
    ScoreRecord,
    ScoringRun,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Services answer in the active language: these tests read the English messages."""
    with translation.override("en"):
        yield


# Two counties of a city bank that add up to tests/supervision/test_evaluation_scoring.py's
# CITY_BANK: SME loans 1,000 -> 1,100, all loans 5,000 -> 5,500, and so on.
COUNTY_ROWS = [
    {
        "county": "350102",
        "sme_balance": 600,
        "sme_balance_start": 500,
        "all_balance": 3000,
        "all_balance_start": 2500,
        "borrowers": 100,
        "borrowers_start": 110,
        "first_time": 10,
        "credit_balance": 180,
        "long_term_balance": 120,
        "renewal_balance": 30,
        "issued_ytd": 300,
        "issued_rate": D("4.00"),
        "sme_npl": 18,
        "all_npl": 30,
        "individual_balance": 120,
        "individual_borrowers": 20,
        "foreign_trade_balance": 60,
        "technology_balance": 60,
        "manufacturing_long_term": 60,
        "consumption_balance": 60,
    },
    {
        "county": "350121",
        "sme_balance": 500,
        "sme_balance_start": 500,
        "all_balance": 2500,
        "all_balance_start": 2500,
        "borrowers": 90,
        "borrowers_start": 90,
        "first_time": 9,
        "credit_balance": 150,
        "long_term_balance": 100,
        "renewal_balance": 25,
        "issued_ytd": 100,
        "issued_rate": D("4.40"),
        "sme_npl": 15,
        "all_npl": 25,
        "individual_balance": 100,
        "individual_borrowers": 15,
        "foreign_trade_balance": 50,
        "technology_balance": 50,
        "manufacturing_long_term": 50,
        "consumption_balance": 50,
    },
]


@pytest.fixture
def province():
    gb = f.office("000000", "总局")
    p1 = f.office("350000", "甲省局", gb)
    city = f.office("350100", "甲市分局", p1)
    return gb, p1, city


def _bank(office, kind=InstitutionKind.CITY_COMMERCIAL, name=None):
    names = {"name_zh": name, "name_en": name} if name else {}
    return f.InstitutionFactory(office=office, kind=kind, **names)


def test_inputs_are_summed_over_the_filers_rows_and_rates_weighted(province):
    bank = _bank(province[2])
    evaluation = f.scored_evaluation(bank, rows=COUNTY_ROWS)
    result = selectors.current_result(evaluation)
    assert result.line("CS1").inputs == {
        "all_balance": D(5500),
        "all_balance_start": D(5000),
        "sme_balance": D(1100),
        "sme_balance_start": D(1000),
    }
    assert result.line("CS1").points == D(8)
    # (4.00 x 300 + 4.40 x 100) / 400 = 4.10; no return at the previous year-end, so the rate
    # and the shares, read against it, are missing.
    assert result.line("CS5").inputs["issued_rate"] == D("4.1")
    assert result.line("CS5").missing == ("year_end_issued_rate",)
    assert result.line("PI1").inputs["credit_balance"] == D(330)
    assert result.line("PI1").missing == ("year_end_credit_balance", "year_end_sme_balance")
    assert evaluation.status == EvaluationStatus.SELF_ASSESSMENT
    assert (evaluation.grade, evaluation.complete) == (result.grade, False)


def test_branch_returns_are_added_up_unless_the_bank_filed_its_own(province):
    bank = _bank(province[2])
    for row in COUNTY_ROWS:
        branch = f.BranchFactory(institution=bank, office=province[2])
        f.accepted_loans(bank, [row], "2025Q4", branch=branch)
    service.score_institutions("2025", Institution.objects.filter(pk=bank.pk))
    result = selectors.current_result(Evaluation.objects.get(institution=bank))
    assert result.line("CS1").inputs["sme_balance"] == D(1100)
    own = [row | {"sme_balance": 2000} for row in COUNTY_ROWS[:1]]
    f.accepted_return(bank, "2025Q4", rows=own)
    service.score_institutions("2025", Institution.objects.filter(pk=bank.pk))
    result = selectors.current_result(Evaluation.objects.get(institution=bank))
    assert result.line("CS1").inputs["sme_balance"] == D(2000)


def test_scoring_again_is_idempotent_and_keeps_history(province):
    bank = _bank(province[2])
    evaluation = f.scored_evaluation(bank, rows=COUNTY_ROWS)
    tally = service.score_institutions("2025")
    assert (tally.scored, tally.unchanged) == (0, 1)
    assert ScoreRecord.objects.filter(evaluation=evaluation).count() == 1
    Arrangement.objects.create(institution=bank, year=2025, typed_credit_plan=D(50))
    f.accepted_return(bank, "2024Q4", rows=[r | {"issued_rate": D("4.00")} for r in COUNTY_ROWS])
    assert service.score_institutions("2025").scored == 1
    history = list(ScoreRecord.objects.filter(evaluation=evaluation))
    assert len(history) == 2
    assert history[0].total > history[1].total  # the newest first: CS5 is now scored
    evaluation.refresh_from_db()
    assert selectors.current_result(evaluation).line("CS5").points == D(8)  # +0.1 pp


def test_a_confirmed_result_is_frozen(province):
    bank = _bank(province[2])
    evaluation = f.scored_evaluation(bank, rows=COUNTY_ROWS, status=EvaluationStatus.CONFIRMED)
    before = evaluation.fingerprint
    f.accepted_return(bank, "2024Q4", rows=COUNTY_ROWS)
    assert service.score_institutions("2025").frozen == 1
    evaluation.refresh_from_db()
    assert evaluation.fingerprint == before


def test_an_accepted_return_queues_scoring_of_its_filer(
    province, django_capture_on_commit_callbacks
):
    bank = _bank(province[2])
    reviewer = f.member(Role.REVIEWER, office=province[1])
    filing = f.FilingFactory(
        request=f.ReturnRequestFactory(institution=bank), status=FilingStatus.SUBMITTED
    )
    task = "supervision.evaluation.tasks.score_institution.delay"
    with mock.patch(task) as delay, django_capture_on_commit_callbacks(execute=True):
        filings.filing_accept(reviewer, filing)
    delay.assert_called_once_with(bank.pk, "2025Q3")


def test_a_late_q4_return_of_last_year_rescores_this_years_result(province):
    bank = _bank(province[2])
    evaluation = f.scored_evaluation(bank, rows=COUNTY_ROWS)
    f.accepted_return(bank, "2024Q4", rows=COUNTY_ROWS)
    service.score_filed(bank.pk, "2024Q4")  # what the task queued on acceptance does
    assert ScoreRecord.objects.filter(evaluation=evaluation).count() == 2
    # 2024's own evaluation opens with its Q4 return: its calendar has long passed.
    assert Evaluation.objects.filter(period="2024", institution=bank).exists()
    evaluation.refresh_from_db()
    assert selectors.current_result(evaluation).line("PI1").points == D(8)  # now measured


def test_the_number_of_queries_does_not_grow_with_the_institutions(province):
    def queries_for(count: int) -> int:
        banks = [_bank(province[2]) for _ in range(count)]
        for bank in banks:
            f.accepted_return(bank, "2025Q4")
            f.accepted_return(bank, "2024Q4")
        chosen = Institution.objects.filter(pk__in=[b.pk for b in banks])
        with CaptureQueriesContext(connection) as context:
            tally = service.score_institutions("2025", chosen)
        assert tally.scored == count
        return len(context.captured_queries)

    assert queries_for(2) == queries_for(9)


def test_a_period_run_scores_the_offices_subtree_only(province, client_for):
    gb, p1, city = province
    p2 = f.office("440000", "乙省局", gb)
    ours, theirs = _bank(city), _bank(p2)
    f.accepted_return(ours, "2025Q4")
    f.accepted_return(theirs, "2025Q4")
    head = f.member(Role.HEAD, office=p1)
    client = client_for(head)
    response = client.post(reverse("evaluation-score"), {"period": "2025"})
    assert response.status_code == 302
    job = ScoringRun.objects.get()
    assert (job.office, job.period) == (p1, "2025")
    queued = OutboxMessage.objects.get(task="supervision.tasks.evaluation.run_scoring")
    assert queued.args == [job.pk]
    service.run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.scored) == (ScoringRun.Status.DONE, 1)
    assert list(Evaluation.objects.values_list("institution", flat=True)) == [ours.pk]
    service.run(job.pk)  # a redelivered task changes nothing
    assert ScoreRecord.objects.count() == 1


def test_a_run_hit_by_a_database_hiccup_goes_back_to_the_queue_for_its_retry(province):
    bank = _bank(province[2])
    f.accepted_return(bank, "2025Q4")
    job = ScoringRun.objects.create(
        office=province[1], period="2025", requested_by=f.member(Role.HEAD, office=province[1])
    )
    hiccup = mock.patch.object(
        service, "score_institutions", side_effect=OperationalError("connection lost")
    )
    with hiccup, pytest.raises(OperationalError):
        service.run(job.pk)
    job.refresh_from_db()
    assert job.status == ScoringRun.Status.QUEUED
    service.run(job.pk)  # the retry
    job.refresh_from_db()
    assert (job.status, job.scored) == (ScoringRun.Status.DONE, 1)


def test_a_viewer_cannot_score_a_period(province, client_for):
    client = client_for(f.member(Role.VIEWER, office=province[1]))
    assert client.post(reverse("evaluation-score"), {"period": "2025Q3"}).status_code == 403
    reviewer = client_for(f.member(Role.REVIEWER, office=province[1]))
    response = reviewer.post(reverse("evaluation-score"), {"period": "2025-3"}, follow=True)
    assert "Give a year (2025: the evaluation) or a quarter" in response.content.decode()
    assert not ScoringRun.objects.exists()


# -- pages ------------------------------------------------------------------------------------


@pytest.fixture
def ranked(province):
    gb, p1, city = province
    p2 = f.office("440000", "乙省局", gb)
    strong_bank = _bank(city, name="强银行")
    weak_bank = _bank(p1, InstitutionKind.RURAL_COMMERCIAL, "弱银行")
    for bank in (strong_bank, weak_bank):  # the previous year-end the shares are read against
        f.accepted_return(bank, "2024Q4", rows=COUNTY_ROWS)
    strong = f.scored_evaluation(strong_bank, rows=COUNTY_ROWS)
    weak_rows = [r | {"credit_balance": 0, "long_term_balance": 0} for r in COUNTY_ROWS]
    weak = f.scored_evaluation(weak_bank, rows=weak_rows)
    elsewhere = f.scored_evaluation(_bank(p2, name="外省银行"), rows=COUNTY_ROWS)
    return p1, strong, weak, elsewhere


def test_the_ranking_lists_the_subtree_best_first_with_filters(ranked, client_for):
    p1, _, weak, _ = ranked
    client = client_for(f.member(Role.VIEWER, office=p1))
    page = client.get(reverse("evaluation-ranking")).content.decode()
    assert page.index("强银行") < page.index("弱银行")
    assert "外省银行" not in page
    by_kind = client.get(reverse("evaluation-ranking"), {"kind": "rural_commercial"})
    assert "强银行" not in by_kind.content.decode() and "弱银行" in by_kind.content.decode()
    by_region = client.get(reverse("evaluation-ranking"), {"region": "3501"}).content.decode()
    assert "强银行" in by_region and "弱银行" not in by_region
    by_grade = client.get(reverse("evaluation-ranking"), {"grade": str(weak.grade)})
    assert "弱银行" in by_grade.content.decode()


def test_the_scorecard_explains_every_indicator(ranked, client_for):
    p1, strong, *_ = ranked
    page = client_for(f.member(Role.VIEWER, office=p1)).get(
        reverse("evaluation-detail", args=[strong.pk])
    )
    text = page.content.decode()
    assert "10% meets the target of 10%: full 8 points." in text
    assert "Not scored yet: awaits the reviewer&#x27;s points." in text
    assert 'data-testid="trend"' in text


def test_a_bank_sees_its_scorecard_only_once_notified(ranked, client_for):
    _, strong, *_ = ranked
    officer = f.member(Role.PREPARER, institution=strong.institution)
    client = client_for(officer)
    page = client.get(reverse("evaluation-detail", args=[strong.pk])).content.decode()
    assert 'data-testid="scores-hidden"' in page and "meets the target" not in page
    assert client.get(reverse("evaluation-xlsx", args=[strong.pk])).status_code == 404
    # Listed, to reach the self-assessment, but without its total or grade.
    listing = client.get(reverse("evaluation-ranking")).content.decode()
    assert "强银行" in listing and f"<strong>{strong.grade_label}</strong>" not in listing
    strong.status = EvaluationStatus.NOTIFIED
    strong.save()
    page = client.get(reverse("evaluation-detail", args=[strong.pk])).content.decode()
    assert "meets the target" in page
    listing = client.get(reverse("evaluation-ranking")).content.decode()
    assert f"<strong>{strong.grade_label}</strong>" in listing


def _workbook_text(response) -> list[list]:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for ws in book.worksheets for row in ws.iter_rows(values_only=True)]


def test_the_ranking_workbook_escapes_formulas(province, client_for):
    bank = _bank(province[2], name="=HYPERLINK(1)")
    f.scored_evaluation(bank, rows=COUNTY_ROWS)
    client = client_for(f.member(Role.VIEWER, office=province[1]))
    response = client.get(reverse("evaluation-ranking-xlsx"), {"period": "2025"})
    rows = _workbook_text(response)
    assert rows[0][0] == "名次 Rank"
    assert rows[1][1] == "'=HYPERLINK(1)"
    assert rows[1][9] == Evaluation.objects.get().grade_label


def test_the_scorecard_workbook_has_both_languages(ranked, client_for):
    p1, strong, *_ = ranked
    response = client_for(f.member(Role.VIEWER, office=p1)).get(
        reverse("evaluation-xlsx", args=[strong.pk])
    )
    rows = _workbook_text(response)
    cs1 = next(row for row in rows if len(row) > 2 and row[2] == "CS1")
    assert cs1[8] == "10%，达到目标值 10%：得满分 8 分。"
    assert cs1[9] == "10% meets the target of 10%: full 8 points."


# -- dashboards ---------------------------------------------------------------------------------


def test_grade_distribution_and_counts_on_target(ranked):
    p1, strong, weak, _ = ranked
    distribution = selectors.grade_distribution(p1, "2025Q3")
    assert sum(distribution.values()) == 2
    assert distribution[strong.grade] >= 1 and distribution[weak.grade] >= 1
    on_target = selectors.on_target(p1, "2025Q3")
    assert on_target["PI1"] == (1, 2)  # the weak bank made no credit loans
    assert on_target["CS1"] == (2, 2)
