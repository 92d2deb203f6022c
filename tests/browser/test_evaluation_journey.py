"""Issue 16's yearly evaluation in a real browser, from the bank's credit plan to a closed
rectification plan: the bank files its SME credit plan for the year (preparer uploads, approver
signs, the office accepts); the calendar opens the year's evaluation once its Q4 returns are
due (beat's task, run on that day); the bank self-assesses and submits; the office reviews,
marks the result down and its head confirms grade 4, which raises a case that asks for a
supervisory talk with the principal officer; the office records the talk on the case; the bank
reads it on its scorecard, files its rectification plan from its gap list and reports each item
done with evidence; the office closes the items, and with the last the plan."""

import re
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from portal.models import Role
from reporting.models import Filing, FilingStatus
from reporting.specs import get_spec
from supervision.escalation.models import Case
from supervision.evaluation import services as evaluation_services
from supervision.evaluation import tasks as evaluation_tasks
from supervision.evaluation.models import Evaluation, EvaluationStatus, MonitoringScore
from supervision.evaluation.rectification_models import ItemStatus, PlanStatus, RectificationPlan
from tests import factories as f
from tests.browser.chinese import label, sign_out, zh
from tests.browser.test_returns_journey import upload, wait_for_report
from tests.reporting.returns import open_request, workbook
from tests.supervision.test_evaluation_results import COUNTY_ROWS

pytestmark = [pytest.mark.browser, pytest.mark.worker]

PLAN = get_spec("SME-CREDIT-PLAN")
# Marked down by the office to grade 4: no bonus, no points for these indicators.
MARKED_DOWN = ("B2", "CS2", "CS4")


def _act(page, verb: str) -> None:
    with page.expect_navigation():
        page.locator(f"button[name=verb][value={verb}]").click()


def test_a_year_from_the_credit_plan_to_a_closed_rectification_plan(
    celery_worker, matrix, sign_in, live_server, tmp_path
):
    # The year still open on the calendar, so that only its Q4's due date opens the evaluation.
    year = timezone.localdate().year
    opens_on = evaluation_services.opens_on(year)
    bank = f.InstitutionFactory(office=matrix.county_a, name_zh="整改农商银行")
    f.accepted_return(bank, f"{year - 1}Q4", rows=COUNTY_ROWS)
    # SME loans grew 6% against all loans' 10%: the plan (an increment of 50) decides CS1.
    f.accepted_return(
        bank, f"{year}Q4", rows=[COUNTY_ROWS[0] | {"sme_balance": 560}, *COUNTY_ROWS[1:]]
    )
    preparer = f.member(Role.PREPARER, institution=bank)
    approver = f.member(Role.APPROVER, institution=bank)
    reviewer = f.member(Role.REVIEWER, office=matrix.county_a)
    head = f.member(Role.HEAD, office=matrix.county_a)
    request = open_request(
        bank, PLAN, period=str(year), due_date=timezone.localdate() + timedelta(30)
    )
    plan_rows = [{"line": "bank", "plan_increment": 50, "credit_plan": 30, "first_loan_plan": 10}]
    plan_file = workbook(tmp_path / "信贷计划.xlsx", plan_rows, PLAN)
    evidence = tmp_path / "整改证明.pdf"
    evidence.write_bytes(b"%PDF-1.4 journey evidence")
    today = timezone.localdate()

    # -- the bank files its credit plan: the preparer uploads, the approver signs ------------
    page = sign_in(preparer, f.PASSWORD)
    # Every page on the way runs under the strict CSP without a console error.
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    page.goto(f"{live_server.url}{reverse('request-detail', args=[request.pk])}")
    upload(page, plan_file)
    wait_for_report(page)
    expect(page.get_by_test_id("errors")).to_have_text("0")
    filing_url = page.url
    sign_out(page)
    sign_in(approver, f.PASSWORD)
    page.goto(filing_url)
    with page.expect_navigation():
        page.locator("form.sign").get_by_role("button", name=zh("Sign and submit")).click()
    expect(page.get_by_test_id("status")).to_have_text(label(FilingStatus.SUBMITTED))
    sign_out(page)

    # -- the office accepts it; the worker scores the year's Q4 as monitoring only -----------
    sign_in(reviewer, f.PASSWORD)
    page.goto(filing_url)
    with page.expect_navigation():
        page.locator("form.review").get_by_role("button", name=zh("Accept"), exact=True).click()
    expect(page.get_by_test_id("status")).to_have_text(label(FilingStatus.ACCEPTED))
    sign_out(page)
    celery_worker.wait_until(
        lambda: MonitoringScore.objects.filter(institution=bank, period=f"{year}Q4").exists(),
        what="the accepted plan to be scored",
    )
    assert not Evaluation.objects.exists()

    # -- beat opens the year's evaluation the day after the Q4 returns are due ---------------
    for day, opened in ((opens_on - timedelta(days=1), False), (opens_on, True)):
        with time_machine.travel(datetime.combine(day, time(1), timezone.get_current_timezone())):
            evaluation_tasks.open_yearly_evaluations()
        assert Evaluation.objects.filter(institution=bank).exists() == opened
    evaluation = Evaluation.objects.get(institution=bank, period=str(year))
    assert evaluation.status == EvaluationStatus.SELF_ASSESSMENT
    cs1 = next(line for line in evaluation.result["lines"] if line["code"] == "CS1")
    assert cs1["inputs"]["credit_plan"] == "50"  # the bank's accepted plan, read by the scheme
    assert (cs1["reason"]["message"], cs1["points"]) == ("condition_proportional", "4.80")
    scorecard = f"{live_server.url}{reverse('evaluation-detail', args=[evaluation.pk])}"

    # -- the bank self-assesses: the preparer scores each item, the approver submits ----------
    sign_in(preparer, f.PASSWORD)
    page.goto(scorecard)
    items = page.get_by_test_id("qualitative").locator("input[name^=points_]")
    items_count = items.count()
    assert items_count > 0
    for index in range(items_count):
        items.nth(index).fill("4")
    _act(page, "self_assess")
    sign_out(page)
    sign_in(approver, f.PASSWORD)
    page.goto(scorecard)
    _act(page, "submit")
    expect(page.get_by_test_id("status")).to_have_text(label(EvaluationStatus.REVIEW))
    sign_out(page)

    # -- the office reviews and marks the result down; its head confirms grade 4 --------------
    sign_in(reviewer, f.PASSWORD)
    page.goto(scorecard)
    bank_points = page.get_by_test_id("qualitative").locator("tbody td:nth-child(2)")
    expect(bank_points).to_have_count(items_count)
    for index in range(items_count):
        expect(bank_points.nth(index)).to_have_text(re.compile(r"^4(\.0+)?\b"))
    items = page.get_by_test_id("qualitative").locator("input[name^=points_]")
    for index in range(items.count()):
        items.nth(index).fill("0")
    _act(page, "review")
    adjust = page.locator("form:has(input[name=verb][value=adjust])")
    for code in MARKED_DOWN:
        adjust.locator("select[name=code]").select_option(code)
        adjust.locator("input[name=points]").fill("0")
        adjust.locator("input[name=reason]").fill("核减")
        with page.expect_navigation():
            adjust.get_by_role("button", name=zh("Adjust")).click()
    sign_out(page)
    sign_in(head, f.PASSWORD)
    page.goto(scorecard)
    _act(page, "confirm")
    expect(page.get_by_test_id("status")).to_have_text(label(EvaluationStatus.CONFIRMED))
    expect(page.get_by_test_id("grade")).to_contain_text("4")
    sign_out(page)
    celery_worker.wait_until(
        lambda: Case.objects.filter(institution=bank).exists(), what="grade 4 to raise a case"
    )
    case = Case.objects.get(institution=bank)

    # -- the office notifies the bank and records the talk with the principal officer ---------
    sign_in(reviewer, f.PASSWORD)
    page.goto(scorecard)
    _act(page, "notify")
    page.goto(f"{live_server.url}{reverse('escalation-case', args=[case.pk])}")
    expect(page.get_by_test_id("requires-talk")).to_be_visible()
    form = page.locator("#record-action")
    form.locator("select[name=kind]").select_option("talk")
    form.locator("input[name=held_on]").fill(today.isoformat())
    form.locator("textarea[name=minutes]").fill("约谈主要负责人，要求限期整改")
    form.locator("input[name=principal_officer]").fill("王行长")
    with page.expect_navigation():
        form.get_by_role("button", name=zh("Record")).click()
    sign_out(page)

    # -- the bank reads the talk and files its plan from its gap list -----------------------
    sign_in(preparer, f.PASSWORD)
    page.goto(scorecard)
    expect(page.get_by_test_id("talk")).to_contain_text("王行长")
    # The gap list names CS1's points lost to the growth short of all loans' (the plan met).
    gap_list = page.get_by_test_id("gaps").locator("li")
    expect(gap_list.filter(has_text="CS1")).to_contain_text("3.20")
    listed = gap_list.count()
    with page.expect_navigation():
        page.get_by_test_id("plan-link").click()
    rows = page.get_by_test_id("plan-form").locator("tbody tr")
    deadline = (today + timedelta(days=30)).isoformat()
    for index in range(rows.count()):
        rows.nth(index).locator("textarea").fill("逐项整改措施")
        rows.nth(index).locator("input[type=date]").fill(deadline)
    gaps = rows.count()
    assert gaps == listed  # one item per gap
    with page.expect_navigation():
        page.get_by_role("button", name=zh("File the rectification plan")).click()
    expect(page.get_by_test_id("plan-status")).to_have_text(label(PlanStatus.FOLLOWED))
    for _ in range(gaps):
        report = page.locator("form:has(input[name=verb][value=report])").first
        report.locator("textarea[name=report]").fill("已按计划完成")
        report.locator("input[type=file]").set_input_files(evidence)
        with page.expect_navigation():
            report.get_by_role("button", name=zh("Report done")).click()
    expect(page.get_by_test_id("item-status").first).to_contain_text(label(ItemStatus.REPORTED))
    sign_out(page)

    # -- the office closes each item; the last closes the plan -------------------------------
    sign_in(reviewer, f.PASSWORD)
    page.goto(f"{live_server.url}{reverse('evaluation-plan', args=[evaluation.pk])}")
    for _ in range(gaps):
        decide = page.locator("form:has(input[name=verb][value=decide])").first
        with page.expect_navigation():
            decide.get_by_role("button", name=zh("Close the item")).click()
    expect(page.get_by_test_id("plan-status")).to_have_text(label(PlanStatus.CLOSED))

    evaluation.refresh_from_db()
    assert (evaluation.grade, evaluation.status) == (4, EvaluationStatus.NOTIFIED)
    assert Filing.objects.get(request=request).status == FilingStatus.ACCEPTED
    plan = RectificationPlan.objects.get(evaluation=evaluation)
    assert plan.items.count() == gaps > 0 and plan.status == PlanStatus.CLOSED
    assert all(item.evidence.count() == 1 for item in plan.items.all())
    assert console_errors == []
