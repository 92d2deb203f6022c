"""The closing and public journey of issue 18 in a real browser (in Chinese): an owner files a
complaint on the form, the branch answers it, the owner accepts and rates the handling, the public
statistics page shows the quarter's figures to anyone, and a typical case written by the
province and approved by the General Bureau's head appears on the public site."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reporting import periods
from supervision.complaints.models import Category, Complaint, ComplaintStatus, Outcome
from supervision.publication import services as publication
from tests import factories as f
from tests.browser.chinese import label, sign_out, zh

pytestmark = [pytest.mark.browser]


def test_owner_rates_the_public_sees_the_quarter_and_an_approved_case(
    transactional_db, matrix, sign_in, live_server, settings
):
    settings.PORTAL_PUBLIC_MIN_CELL = 1  # one complaint: shown in this test's quarter
    owner = matrix.users["owner_a"]

    # -- the owner files on the form ----------------------------------------------------------
    page = sign_in(owner, f.PASSWORD)
    page.goto(f"{live_server.url}/complaints/new/")
    form = page.get_by_test_id("intake")
    form.locator("#id_county").select_option(matrix.county_a.code)
    expect(form.locator(f"#id_branch option[value='{matrix.branch_a1.pk}']")).to_have_count(1)
    form.locator("#id_branch").select_option(str(matrix.branch_a1.pk))
    form.locator("#id_category").select_option("fees")
    form.locator("#id_enterprise_name").fill("鼓楼小五金店")
    form.locator("#id_enterprise_credit_code").fill(f.credit_code())
    form.locator("#id_legal_representative").fill("陈老板")
    form.locator("#id_address").fill("福州市鼓楼区东街1号")
    form.locator("#id_contact_phone").fill("13500000000")
    form.locator("#id_description").fill("放贷时收取了咨询费。")
    form.locator("#id_wish").fill("退还咨询费")
    a, b = map(int, re.findall(r"\d+", form.get_by_test_id("challenge").inner_text()))
    form.locator("#id_challenge_answer").fill(str(a + b))
    with page.expect_navigation():
        form.get_by_role("button", name=zh("Send the complaint")).click()
    complaint = Complaint.objects.get(reference=page.get_by_test_id("reference").inner_text())
    sign_out(page)

    # -- the branch answers ---------------------------------------------------------------------
    sign_in(matrix.users["branch_a1"], f.PASSWORD)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    answer = page.get_by_test_id("answer-form")
    answer.locator("select[name=outcome]").select_option(Outcome.RELIEF)
    answer.locator("textarea[name=text]").fill("已退还咨询费。")
    with page.expect_navigation():
        answer.get_by_test_id("send-answer").click()
    sign_out(page)

    # -- the owner accepts within the window and rates the handling -----------------------------
    sign_in(owner, f.PASSWORD)
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    expect(page.get_by_test_id("feedback-due")).to_be_visible()
    with page.expect_navigation():
        page.get_by_test_id("accept").click()
    rate = page.get_by_test_id("rate-form")
    rate.locator("input[name=rating][value='4']").check()
    rate.locator("input[name=solved][value='1']").check()
    rate.locator("input[name=text]").fill("处理及时。")
    with page.expect_navigation():
        rate.get_by_test_id("rate").click()
    expect(page.get_by_test_id("rating")).to_contain_text("4/5")
    expect(page.get_by_test_id("status")).to_have_text(label(ComplaintStatus.ACCEPTED))
    sign_out(page)

    # -- beat builds the quarter's release; anyone reads it -------------------------------------
    quarter = periods.quarter_of(timezone.localdate())
    publication.build_release(quarter)
    page.goto(f"{live_server.url}/public/")
    with page.expect_navigation():
        page.get_by_test_id("quarters").get_by_role("link", name=quarter).click()
    table = page.get_by_test_id("complaints-by-category")
    row = table.locator("tr").filter(has_text=label(Category.FEES))
    expect(row).to_contain_text("4.00")  # the mean rating of the quarter's one rating
    expect(page.get_by_text("鼓楼小五金店")).to_have_count(0)

    # -- the province writes a typical case; the General Bureau's head approves it --------------
    sign_in(matrix.users["p1_head"], f.PASSWORD)
    page.goto(f"{live_server.url}/typical-cases/")
    form = page.get_by_test_id("case-form")
    form.locator("#id_office").select_option(matrix.p1.code)
    form.locator("#id_source").select_option("complaint")
    form.locator("#id_complaint_reference").fill(complaint.reference)
    form.locator("#id_title_zh").fill("违规收取咨询费获退还")
    form.locator("#id_title_en").fill("A consulting fee refunded")
    form.locator("#id_body_zh").fill("某小微企业贷款时被收取咨询费，投诉后银行全额退还。")
    form.locator("#id_body_en").fill("A small firm was charged a consulting fee; it was refunded.")
    with page.expect_navigation():
        form.get_by_test_id("write-case").click()
    expect(page.get_by_test_id("case-status")).to_have_text(zh("Draft, awaiting a head's approval"))
    case_url = page.url
    sign_out(page)
    sign_in(matrix.users["gb_head"], f.PASSWORD)
    page.goto(case_url)
    with page.expect_navigation():
        page.get_by_test_id("approve-case").click()
    expect(page.get_by_test_id("case-status")).to_have_text(zh("Published"))
    sign_out(page)
    page.goto(f"{live_server.url}/public/cases/")
    with page.expect_navigation():
        page.get_by_role("link", name="违规收取咨询费获退还").click()
    expect(page.get_by_test_id("case-body")).to_contain_text("全额退还")
