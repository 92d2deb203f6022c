"""The complaints journey of issue 6 in a real browser (in Chinese): an SME owner files a
complaint with an attachment, the branch answers, the owner rejects the answer, and the county
office finds it on its desk."""

import re

import pytest
from playwright.sync_api import expect

from supervision.complaints.models import Complaint, ComplaintStatus, Outcome
from tests import factories as f
from tests.browser.chinese import label, menu_link, sign_out, zh

pytestmark = [pytest.mark.browser]


def test_owner_files_bank_answers_owner_rejects_office_sees_it(
    transactional_db, matrix, sign_in, live_server, tmp_path
):
    owner, branch = matrix.users["owner_a"], matrix.branch_a1
    scan = tmp_path / "收费凭证.pdf"
    scan.write_bytes(f.pdf_bytes("fee receipt"))

    # -- the owner files, with an attachment --------------------------------------------------
    page = sign_in(owner, f.PASSWORD)
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    with page.expect_navigation():
        # The owner's home leads there (the menu has the same link).
        page.get_by_test_id("home-file-complaint").click()
    form = page.get_by_test_id("intake")
    form.locator("#id_county").select_option(matrix.county_a.code)
    # htmx fills the branches of the chosen county.
    expect(form.locator(f"#id_branch option[value='{branch.pk}']")).to_have_count(1)
    form.locator("#id_branch").select_option(str(branch.pk))
    form.locator("#id_category").select_option("fees")
    form.locator("#id_enterprise_name").fill("鼓楼小五金店")
    form.locator("#id_enterprise_credit_code").fill(f.credit_code())
    form.locator("#id_legal_representative").fill("陈老板")
    form.locator("#id_address").fill("福州市鼓楼区东街1号")
    form.locator("#id_contact_phone").fill("13500000000")
    form.locator("#id_description").fill("放贷时收取了 3000 元咨询费。<b>未开发票</b>")
    form.locator("#id_wish").fill("退还咨询费")
    form.locator("#id_attachments").set_input_files(scan)
    a, b = map(int, re.findall(r"\d+", form.get_by_test_id("challenge").inner_text()))
    form.locator("#id_challenge_answer").fill(str(a + b))
    with page.expect_navigation():
        form.get_by_role("button", name=zh("Send the complaint")).click()
    expect(page.get_by_role("heading", name=zh("Complaint received"))).to_be_visible()
    reference = page.get_by_test_id("reference").inner_text()
    complaint = Complaint.objects.get(reference=reference)
    assert complaint.attachments.get().original_name == "收费凭证.pdf"
    sign_out(page)

    # -- the branch answers from its inbox ----------------------------------------------------
    sign_in(matrix.users["branch_a1"], f.PASSWORD)
    page.goto(f"{live_server.url}/complaints/")
    row = page.get_by_test_id("complaints").locator("tr").filter(has_text=reference)
    expect(row.get_by_test_id("due")).to_have_text(complaint.due_on.isoformat())
    with page.expect_navigation():
        row.get_by_role("link", name=reference).click()
    expect(page.get_by_test_id("description")).to_contain_text("<b>未开发票</b>")
    expect(page.get_by_role("link", name="收费凭证.pdf")).to_be_visible()
    answer = page.get_by_test_id("answer-form")
    answer.locator("select[name=outcome]").select_option(Outcome.EXPLAINED)
    answer.locator("textarea[name=text]").fill("咨询费系第三方收取，与本行无关。")
    with page.expect_navigation():
        answer.get_by_test_id("send-answer").click()
    expect(page.get_by_test_id("status")).to_have_text(label(ComplaintStatus.ANSWERED))
    sign_out(page)

    # -- the owner reads the answer in the timeline and rejects it -----------------------------
    sign_in(owner, f.PASSWORD)
    page.goto(f"{live_server.url}/complaints/")
    with page.expect_navigation():
        page.get_by_role("link", name=reference).click()
    expect(page.get_by_test_id("answer")).to_contain_text("与本行无关")
    expect(page.get_by_test_id("timeline")).to_contain_text(zh("The institution answered"))
    page.locator("#id_reject_text").fill("费用是贷款的前提条件，银行应负责。")
    with page.expect_navigation():
        page.get_by_test_id("reject").click()
    expect(page.get_by_test_id("status")).to_contain_text(label(ComplaintStatus.AT_OFFICE))
    sign_out(page)

    # -- the county office finds it on its desk ------------------------------------------------
    sign_in(matrix.users["county_a"], f.PASSWORD)
    with page.expect_navigation():
        menu_link(page, zh("Complaints desk")).click()
    row = page.get_by_test_id("desk").locator("tr").filter(has_text=reference)
    expect(row).to_contain_text(zh("Answer rejected by the owner"))
    with page.expect_navigation():
        row.get_by_role("link", name=reference).click()
    expect(page.get_by_test_id("timeline")).to_contain_text("费用是贷款的前提条件")
    assert console_errors == []
    complaint.refresh_from_db()
    assert (complaint.status, complaint.reopen_count) == (ComplaintStatus.AT_OFFICE, 1)
