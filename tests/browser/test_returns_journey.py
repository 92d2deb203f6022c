"""The returns journeys in a real browser, validated by a real Celery worker. Issue 4's: a bank
preparer uploads a flawed workbook and reads the report, uploads a fixed one that leaves a
warning to confirm; an approver confirms it and signs; a reviewer of the supervising office
accepts the filing from the review queue. Issue 15's: a return with one negative balance and
an inserted column opens its report with exactly those two causes."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal.models import Role
from reporting.models import Filing, FilingStatus
from reporting.specs import rule_of
from tests import factories as f
from tests.browser.chinese import label, sign_out, zh
from tests.reporting.returns import LOANS, loan_row, open_request, workbook

pytestmark = [pytest.mark.browser, pytest.mark.worker]

# The browser asks for Chinese (tests/browser/conftest.py); the specs' texts are bilingual.
SPEC_LANG = "zh"
# Long enough for the worker to pick the file up and the page's one-second polling to notice.
VALIDATION_MS = 30_000


def upload(page, path) -> None:
    """Choose ``path`` in the request page's upload form and send it; lands on the filing."""
    form = page.locator("form.upload")
    form.locator("input[type=file]").set_input_files(path)
    with page.expect_navigation():
        form.get_by_role("button", name=zh("Upload"), exact=True).click()
    assert "/returns/filings/" in page.url, page.url


def wait_for_report(page) -> None:
    """The progress block polls until the worker is done, then the page reloads as the report
    (or the worker was quicker than the redirect and the report is there already)."""
    expect(page.get_by_role("heading", name=zh("Validation report"))).to_be_visible(
        timeout=VALIDATION_MS
    )
    expect(page.locator("#filing-progress")).to_have_count(0)


def test_a_return_goes_from_a_flawed_upload_to_accepted(
    celery_worker, matrix, sign_in, live_server, tmp_path
):
    bank = matrix.bank_a
    preparer = matrix.users["bank_a"]
    approver = f.member(Role.APPROVER, institution=bank)
    reviewer = matrix.users["p1_head"]  # head of bank_a's supervising office
    request = open_request(bank, period="2025Q1", due_date=timezone.localdate() + timedelta(30))
    flawed = workbook(
        tmp_path / "q1-flawed.xlsx", [loan_row(credit_balance=5000, issued_rate=0.0385)]
    )
    fixed = workbook(tmp_path / "q1-fixed.xlsx", [loan_row(issued_rate=0.0385)])
    v101 = rule_of("SME-LOANS", "2025", "SL-V101")
    q201 = rule_of("SME-LOANS", "2025", "SL-Q201")

    # -- the preparer: a flawed upload, its report, then the fix ---------------------------
    page = sign_in(preparer, f.PASSWORD)
    # The pages load htmx from the package and run under a strict CSP: no console errors.
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append(str(e)))
    page.goto(f"{live_server.url}/returns/")
    with page.expect_navigation():
        page.locator(f"a[href='/returns/requests/{request.pk}/']").click()

    assert page.evaluate("typeof htmx") == "object", "htmx did not load: nothing would poll"
    upload(page, flawed)
    wait_for_report(page)
    expect(page.get_by_test_id("status")).to_have_text(label(FilingStatus.REJECTED))
    expect(page.get_by_test_id("errors")).to_have_text("1")
    error = page.locator("#hit-SL-V101")
    expect(error.locator("h3 code")).to_have_text("SL-V101")
    expect(error).to_contain_text(v101.message(SPEC_LANG))
    expect(error.locator("table.examples td code")).to_have_text("I3")
    expect(page.locator("#hit-SL-Q201")).to_contain_text(q201.code)
    # A preparer neither signs nor decides.
    expect(page.get_by_role("button", name=zh("Sign and submit"))).to_have_count(0)

    page.goto(f"{live_server.url}/returns/requests/{request.pk}/")
    upload(page, fixed)
    wait_for_report(page)
    expect(page.get_by_test_id("status")).to_have_text(label(FilingStatus.NEEDS_CONFIRMATION))
    expect(page.get_by_test_id("errors")).to_have_text("0")
    expect(page.get_by_test_id("warnings")).to_have_text("1")
    expect(page.locator("#hit-SL-V101")).to_have_count(0)
    expect(page.locator("#hit-SL-Q201 table.examples td code")).to_have_text("M3")
    filing = Filing.objects.get(request=request, version=2)
    filing_url = f"{live_server.url}/returns/filings/{filing.pk}/"
    assert page.url == filing_url
    sign_out(page)

    # -- the approver confirms the warning and signs ----------------------------------------
    sign_in(approver, f.PASSWORD)
    page.goto(f"{live_server.url}/returns/requests/{request.pk}/")
    with page.expect_navigation():
        page.locator("table.history").get_by_role("link", name="v2", exact=True).click()
    assert page.url == filing_url
    sign = page.locator("form.sign")
    sign_button = sign.get_by_role("button", name=zh("Sign and submit"))
    # Signing without confirming the warning is refused, and says which rule is missing.
    with page.expect_navigation():
        sign_button.click()
    expect(sign.locator(".errorlist")).to_contain_text("SL-Q201")
    expect(page.get_by_test_id("status")).to_have_text(label(FilingStatus.NEEDS_CONFIRMATION))
    sign.locator("input[name='confirm_SL-Q201']").check()
    sign.locator("textarea[name='reason_SL-Q201']").fill("The core system exports fractions.")
    with page.expect_navigation():
        sign_button.click()
    receipt = page.get_by_test_id("receipt")
    expect(receipt).to_have_text(f"SME-LOANS-2025Q1-{bank.credit_code[-6:]}-{filing.pk:07d}")
    receipt_number = receipt.inner_text()
    expect(page.locator("ul.messages")).to_contain_text(receipt_number)
    expect(page.get_by_test_id("status")).to_have_text(label(FilingStatus.SUBMITTED))
    expect(page.locator("form.sign")).to_have_count(0)
    sign_out(page)

    # -- the supervising office's reviewer accepts it from the queue -------------------------
    sign_in(reviewer, f.PASSWORD)
    page.goto(f"{live_server.url}/returns/review/")
    row = page.locator("form.queue tbody tr").filter(has_text=receipt_number)
    with page.expect_navigation():
        row.get_by_role("link", name="v2", exact=True).click()
    assert page.url == filing_url
    with page.expect_navigation():
        page.locator("form.review").get_by_role("button", name=zh("Accept"), exact=True).click()
    expect(page.locator("ul.messages")).to_contain_text(zh("Filing accepted."))
    expect(page.get_by_test_id("status")).to_have_text(label(FilingStatus.ACCEPTED))
    expect(page.get_by_test_id("receipt")).to_have_text(receipt_number)
    expect(page.locator("form.review")).to_have_count(0)

    # The queue no longer lists it as awaiting review; the database agrees with the pages.
    page.goto(f"{live_server.url}/returns/review/")
    expect(page.locator("form.queue tbody tr").filter(has_text=receipt_number)).to_have_count(0)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.ACCEPTED and filing.is_current
    assert filing.signed_by == approver and filing.reviewed_by == reviewer
    assert filing.confirmations.get().reason == "The core system exports fractions."
    assert console_errors == []


def _insert_remarks_column(wb) -> None:
    """The bank's own 备注 (remarks) column inserted before the fifth column, as banks do."""
    sheet = wb[LOANS.sheet]
    sheet.insert_cols(5)
    sheet.cell(1, 5, "备注")
    sheet.cell(2, 5, "Remarks")
    sheet.cell(3, 5, "bank's own note")


def test_the_report_opens_with_the_two_real_mistakes(
    celery_worker, matrix, sign_in, live_server, tmp_path
):
    """Issue 15's "must show": a return with one negative balance (B4) and an inserted column
    opens its report with exactly those two causes, the column first, then the balance; nothing
    blames the correct cells, and the filer is told what to do next."""
    request = open_request(
        matrix.bank_a, period="2025Q1", due_date=timezone.localdate() + timedelta(30)
    )
    path = workbook(
        tmp_path / "q1-two-mistakes.xlsx",
        [loan_row("350102"), loan_row("350121", sme_balance=-5)],
        edit=_insert_remarks_column,
    )
    page = sign_in(matrix.users["bank_a"], f.PASSWORD)
    page.goto(f"{live_server.url}/returns/requests/{request.pk}/")
    upload(page, path)
    wait_for_report(page)

    expect(page.get_by_test_id("status")).to_have_text(label(FilingStatus.REJECTED))
    expect(page.get_by_test_id("errors")).to_have_text("2")
    rules = page.locator("section.rule")
    expect(rules.nth(0).locator("h3 code")).to_have_text("S011")
    expect(rules.nth(1).locator("h3 code")).to_have_text("V003")
    expect(rules.nth(0).locator("table.examples")).to_contain_text("备注")
    expect(rules.nth(1).locator("table.examples td code")).to_have_text("B4")
    # Only those two are errors; the rules over B4 were not run against it.
    expect(page.locator("section.rule-error")).to_have_count(2)
    for consequence in ("SL-V101", "SL-V109", "S013"):
        expect(page.locator(f"#hit-{consequence}")).to_have_count(0)
    # What to do next, in Chinese, with the way back to the upload form.
    step = page.get_by_test_id("next-step")
    expect(step.get_by_role("heading", name=zh("What to do next"))).to_be_visible()
    with page.expect_navigation():
        step.get_by_role("link", name=zh("Upload the corrected file")).click()
    assert page.url == f"{live_server.url}/returns/requests/{request.pk}/#upload", page.url
    expect(page.locator("form.upload")).to_be_visible()
