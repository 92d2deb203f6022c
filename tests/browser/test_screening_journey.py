"""The screening journey of issue 5 in a real browser, with a real Celery worker: a sub-bureau
creates a task from an uploaded list and delegates it to its two county offices; one county
assigns its enterprises to a bank; the bank types its answers, its approver signs, the county
accepts; the worker takes the answers in and the sub-bureau sees them rolled up."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.models import Role
from reporting.models import Filing, FilingStatus
from supervision.screening.models import ScreeningTask, TaskEnterprise
from tests import factories as f
from tests.browser.chinese import label, sign_out, zh
from tests.browser.test_returns_journey import wait_for_report
from tests.supervision.screening_helpers import list_row, list_workbook, matrix_banks_only

pytestmark = [pytest.mark.browser, pytest.mark.worker]

TITLE = "浏览器走访任务"


def open_task(page, live_server) -> None:
    page.goto(f"{live_server.url}/screening/")
    with page.expect_navigation():
        page.get_by_role("link", name=TITLE, exact=True).click()


def press(page, label: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=zh(label), exact=True).click()


def test_a_task_goes_down_to_a_bank_and_its_results_come_back_up(
    celery_worker, matrix, sign_in, live_server, tmp_path
):
    matrix_banks_only(matrix)
    city = f.member(Role.REVIEWER, office=matrix.city1)
    county = f.member(Role.REVIEWER, office=matrix.county_a)
    preparer = matrix.users["branch_a1"]
    approver = f.member(Role.APPROVER, branch=matrix.branch_a1)
    rows = [list_row("350102"), list_row("350102"), list_row("350121")]
    first, second = sorted(r["credit_code"] for r in rows[:2])
    path = list_workbook(tmp_path / "走访清单.xlsx", rows)

    # -- the sub-bureau creates the task from its list and delegates it ----------------------
    page = sign_in(city, f.PASSWORD)
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    page.goto(f"{live_server.url}/screening/")
    with page.expect_navigation():
        page.get_by_role("link", name=zh("New screening task")).click()
    form = page.locator("form.screening-task")
    form.locator("input[name=title]").fill(TITLE)
    form.get_by_label(zh("Private enterprises")).check()
    form.locator("input[name=deadline]").fill(
        (timezone.localdate() + timedelta(days=14)).isoformat()
    )
    form.locator("input[name=file]").set_input_files(path)
    press(page, "Create the task")
    task = ScreeningTask.objects.get(title=TITLE)
    assert page.url.endswith(f"/screening/{task.pk}/")
    expect(page.locator("ul.messages")).to_contain_text("3")
    press(page, "Delegate to the child offices")
    rollup = page.get_by_test_id("rollup")
    expect(rollup.locator("tbody tr")).to_have_count(2)
    expect(rollup.locator("tbody tr").filter(has_text=matrix.county_a.name_zh)).to_contain_text("2")
    sign_out(page)

    # -- one county office assigns its enterprises to the bank in its county ----------------
    sign_in(county, f.PASSWORD)
    open_task(page, live_server)
    press(page, "Assign to banks in each county")
    expect(page.locator("#assignments")).to_be_visible()
    expect(page.locator("table").filter(has_text=matrix.branch_a1.name_zh)).not_to_have_count(0)
    sign_out(page)

    # -- the bank types its answers; they are validated by the worker -----------------------
    sign_in(preparer, f.PASSWORD)
    open_task(page, live_server)
    with page.expect_navigation():
        page.get_by_role("link", name=matrix.branch_a1.name_zh, exact=True).click()
    answers = page.locator("form.result-rows")
    granted = answers.locator(f"tr[data-code='{first}']")
    granted.locator("select[name$='decision']").select_option("granted")
    granted.locator("input[name$='credit_amount']").fill("80")
    granted.locator("input[name$='loan_amount']").fill("60")
    granted.locator("input[name$='rate']").fill("3.45")
    granted.locator("input[name$='first_time']").check()
    declined = answers.locator(f"tr[data-code='{second}']")
    declined.locator("select[name$='decision']").select_option("declined")
    declined.locator("select[name$='decline_reason']").select_option("over_indebted")
    press(page, "File these answers")
    wait_for_report(page)
    expect(page.get_by_test_id("status")).to_have_text(label(FilingStatus.VALID))
    filing_url = page.url
    sign_out(page)

    # -- its approver signs, and the county office accepts ----------------------------------
    sign_in(approver, f.PASSWORD)
    page.goto(filing_url)
    with page.expect_navigation():
        page.locator("form.sign").get_by_role("button", name=zh("Sign and submit")).click()
    expect(page.get_by_test_id("status")).to_have_text(label(FilingStatus.SUBMITTED))
    sign_out(page)
    sign_in(county, f.PASSWORD)
    page.goto(filing_url)
    with page.expect_navigation():
        page.locator("form.review").get_by_role("button", name=zh("Accept"), exact=True).click()
    expect(page.get_by_test_id("status")).to_have_text(label(FilingStatus.ACCEPTED))
    sign_out(page)
    celery_worker.wait_until(
        lambda: TaskEnterprise.objects.filter(task=task, decision="granted").exists(),
        what="the worker to take in the accepted results",
    )

    # -- the sub-bureau sees the results rolled up ------------------------------------------
    sign_in(city, f.PASSWORD)
    open_task(page, live_server)
    county_row = (
        page.get_by_test_id("rollup").locator("tbody tr").filter(has_text=matrix.county_a.name_zh)
    )
    # enterprises, assigned, visited, with a need, granted, credit, loans, rate, first-time,
    # declined
    cells = county_row.locator("td")
    expect(cells.nth(1)).to_have_text("2")
    expect(cells.nth(3)).to_have_text("2")
    expect(cells.nth(5)).to_have_text("1")
    expect(cells.nth(6)).to_have_text("80.00")
    expect(cells.nth(8)).to_have_text("3.45")
    expect(cells.nth(9)).to_have_text("1")
    expect(cells.nth(10)).to_have_text("1")
    total = page.get_by_test_id("rollup").locator("tfoot tr td")
    expect(total.nth(0)).to_have_text("3")
    expect(total.nth(4)).to_have_text("1")
    assert Filing.objects.get(request__screening_assignment__task=task).is_current
    assert console_errors == []
