"""Grade 4 in a real browser (issue 16): the office confirms grade 4, which raises a case that
asks for a supervisory talk with the principal officer; the office records the talk on the
case; the bank reads it on its scorecard, files its rectification plan from its gap list and
reports each item done with evidence; the office closes the items, and with the last the plan."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from portal.models import Role
from supervision.escalation.models import Case
from supervision.evaluation import cycle as evaluation_cycle
from supervision.evaluation.rectification_models import ItemStatus, PlanStatus, RectificationPlan
from tests import factories as f
from tests.browser.chinese import label, sign_out, zh
from tests.supervision.test_evaluation_cycle import _lower_to_grade_three
from tests.supervision.test_evaluation_results import COUNTY_ROWS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grade_four_brings_the_talk_and_a_plan_followed_to_closed(
    matrix, sign_in, live_server, tmp_path
):
    bank = f.InstitutionFactory(office=matrix.county_a, name_zh="整改农商银行")
    f.accepted_return(bank, "2024Q4", rows=COUNTY_ROWS)
    evaluation = f.scored_evaluation(bank, rows=COUNTY_ROWS)
    reviewer = f.member(Role.REVIEWER, office=matrix.county_a)
    head = f.member(Role.HEAD, office=matrix.county_a)
    preparer = f.member(Role.PREPARER, institution=bank)
    people = {"evaluation": evaluation, "reviewer": reviewer}
    _lower_to_grade_three(people)
    for code in ("CS2", "CS4"):
        evaluation_cycle.adjust(reviewer, evaluation, code, "0", "核减")
    evaluation_cycle.confirm(head, evaluation)  # grade 4: on commit, a case at the county
    evaluation_cycle.notify_bank(reviewer, evaluation)
    case = Case.objects.get(institution=bank)
    evidence = tmp_path / "整改证明.pdf"
    evidence.write_bytes(b"%PDF-1.4 journey evidence")
    today = timezone.localdate()

    # -- the office records the talk with the principal officer on the case -----------------
    page = sign_in(reviewer, f.PASSWORD)
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
    page.goto(f"{live_server.url}{reverse('evaluation-detail', args=[evaluation.pk])}")
    expect(page.get_by_test_id("talk")).to_contain_text("王行长")
    with page.expect_navigation():
        page.get_by_test_id("plan-link").click()
    rows = page.get_by_test_id("plan-form").locator("tbody tr")
    deadline = (today + timedelta(days=30)).isoformat()
    for index in range(rows.count()):
        rows.nth(index).locator("textarea").fill("逐项整改措施")
        rows.nth(index).locator("input[type=date]").fill(deadline)
    gaps = rows.count()
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

    plan = RectificationPlan.objects.get(evaluation=evaluation)
    assert plan.items.count() == gaps and plan.status == PlanStatus.CLOSED
    assert all(item.evidence.count() == 1 for item in plan.items.all())
