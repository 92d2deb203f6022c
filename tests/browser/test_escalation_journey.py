"""The escalation journey of issue 7 in a real browser: a low grade confirmed by a county office
raises a case there, the county's reviewer issues a rectification notice, the bank answers it
with evidence, and the office accepts the remedy and closes the case."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.models import Role
from supervision.escalation.models import Case, CaseStatus, NoticeStatus
from supervision.evaluation import cycle as evaluation_cycle
from tests import factories as f
from tests.browser.chinese import label, menu_link, sign_out, zh
from tests.supervision.test_evaluation_cycle import _lower_to_grade_three
from tests.supervision.test_evaluation_results import COUNTY_ROWS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_low_grade_case_goes_from_notice_to_closed(matrix, sign_in, live_server, tmp_path):
    # A local bank supervised by county A, evaluated on a year of its returns.
    bank = f.InstitutionFactory(office=matrix.county_a, name_zh="旅程农商银行")
    f.accepted_return(bank, "2024Q4", rows=COUNTY_ROWS)  # the Q4 before: every input
    evaluation = f.scored_evaluation(bank, rows=COUNTY_ROWS)
    reviewer = f.member(Role.REVIEWER, office=matrix.county_a)
    head = f.member(Role.HEAD, office=matrix.county_a)
    preparer = f.member(Role.PREPARER, institution=bank)
    # The county confirms grade 3: on commit, the evaluation raises a case at the county.
    _lower_to_grade_three({"evaluation": evaluation, "reviewer": reviewer})
    evaluation_cycle.confirm(head, evaluation)
    case = Case.objects.get(institution=bank)
    assert case.causes.get().kind == "low-grade"
    evidence = tmp_path / "整改报告.pdf"
    evidence.write_bytes(b"%PDF-1.4 journey evidence")
    deadline = (timezone.localdate() + timedelta(days=20)).isoformat()

    # -- the county's reviewer: from the desk to a rectification notice ---------------------
    page = sign_in(reviewer, f.PASSWORD)
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    with page.expect_navigation():
        menu_link(page, zh("Escalation")).click()
    row = page.get_by_test_id("case-row").filter(has_text="旅程农商银行")
    expect(row).to_contain_text(label(CaseStatus.OPEN))
    with page.expect_navigation():
        row.get_by_role("link", name=f"#{case.pk}").click()
    expect(page.get_by_test_id("case-office")).to_contain_text(matrix.county_a.name_zh)
    form = page.locator("#issue-notice")
    form.locator("textarea[name=requirements]").fill("补充小微企业贷款投放计划并说明原因")
    form.locator("input[name=deadline]").fill(deadline)
    with page.expect_navigation():
        form.get_by_role("button", name=zh("Issue the notice")).click()
    expect(page.get_by_test_id("case-status")).to_have_text(label(CaseStatus.ACTION_TAKEN))
    # Closing now is refused: the notice awaits the bank's answer.
    page.locator("#close-case textarea[name=note]").fill("结案")
    with page.expect_navigation():
        page.locator("#close-case").get_by_role("button", name=zh("Close")).click()
    expect(page.locator("ul.messages")).to_contain_text(
        zh("A rectification notice is still awaiting an answer or a decision.")
    )
    notice = case.notices.get()
    sign_out(page)

    # -- the bank answers with evidence -----------------------------------------------------
    sign_in(preparer, f.PASSWORD)
    with page.expect_navigation():
        menu_link(page, zh("Rectification notices")).click()
    with page.expect_navigation():
        page.get_by_test_id("notice-row").get_by_role("link", name=f"#{notice.pk}").click()
    expect(page.locator("main")).to_contain_text("补充小微企业贷款投放计划并说明原因")
    answer = page.locator("#answer")
    answer.locator("textarea[name=text]").fill("已制定投放计划，董事会已审议")
    answer.locator("input[type=file]").set_input_files(evidence)
    with page.expect_navigation():
        answer.get_by_role("button", name=zh("Send the answer")).click()
    expect(page.get_by_test_id("notice-status")).to_have_text(label(NoticeStatus.ANSWERED))
    expect(page.get_by_role("link", name="整改报告.pdf")).to_be_visible()
    expect(page.locator("#decide")).to_have_count(0)
    sign_out(page)

    # -- the office accepts the remedy and closes the case ----------------------------------
    sign_in(reviewer, f.PASSWORD)
    page.goto(f"{live_server.url}/escalation/notices/{notice.pk}/")
    decide = page.locator("#decide")
    decide.get_by_label(zh("Accept the remedy")).check()
    with page.expect_navigation():
        decide.get_by_role("button", name=zh("Decide")).click()
    expect(page.get_by_test_id("notice-status")).to_have_text(label(NoticeStatus.ACCEPTED))
    with page.expect_navigation():
        page.get_by_role("link", name=f"#{case.pk}").click()
    page.locator("#close-case textarea[name=note]").fill("整改到位，结案")
    with page.expect_navigation():
        page.locator("#close-case").get_by_role("button", name=zh("Close")).click()
    expect(page.get_by_test_id("case-status")).to_have_text(label(CaseStatus.CLOSED))
    expect(page.locator("#close-case")).to_have_count(0)

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closing_note == "整改到位，结案"
    assert notice.responses.get().evidence.get().original_name == "整改报告.pdf"
    assert console_errors == []
