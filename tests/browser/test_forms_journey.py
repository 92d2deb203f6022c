"""The portal's three main forms walked by keyboard alone (issue 20): signing in, uploading a
return and filing a complaint. Each field is reached with Tab in the page's order, filled by
typing or the arrow keys, and the form is sent with Enter; the upload form sent empty comes
back with its error summary focused. Screenshots go to test-results/."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from reporting.models import Filing
from supervision.complaints.models import Complaint
from tests import factories as f
from tests.browser.chinese import zh
from tests.reporting.returns import loan_row, open_request, workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("test-results")


def tab_to(page, selector: str, most: int = 80) -> None:
    """Press Tab until the element ``selector`` has the focus (within ``most`` presses)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reached by Tab")


def test_signing_in_by_keyboard_alone(live_server, page, matrix):
    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, "#id_username")
    page.keyboard.type(matrix.users["bank_a"].email)
    tab_to(page, "#id_password")
    page.keyboard.type(f.PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/"


def test_uploading_a_return_by_keyboard_alone(matrix, sign_in, live_server, tmp_path):
    request = open_request(matrix.bank_a, period="2025Q3")
    path = workbook(tmp_path / "loans.xlsx", [loan_row()])
    page = sign_in(matrix.users["bank_a"], f.PASSWORD)
    page.goto(f"{live_server.url}/returns/requests/{request.pk}/")

    # Sent empty: the error summary, focused, takes the cursor to the file field.
    tab_to(page, "form.upload button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    page.screenshot(path=SHOTS / "forms-upload-errors-zh.png", full_page=True)
    tab_to(page, "[data-testid=error-summary] a")
    page.keyboard.press("Enter")
    expect(page.locator("#id_file")).to_be_focused()

    # Chosen with the keyboard (Space opens the file chooser) and sent with Enter.
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(path)
    tab_to(page, "form.upload button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    filing = Filing.objects.get(request=request)
    assert f"/returns/filings/{filing.pk}/" in page.url


def test_filing_a_complaint_by_keyboard_alone(matrix, sign_in, live_server):
    page = sign_in(matrix.users["owner_a"], f.PASSWORD)
    page.goto(f"{live_server.url}/complaints/new/")
    tab_to(page, "#id_county")
    page.keyboard.press("ArrowDown")  # the first county; its branches load
    expect(page.locator("#id_branch option").nth(1)).to_be_attached()
    tab_to(page, "#id_branch")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#id_category")
    page.keyboard.press("ArrowDown")
    typed = {
        "#id_enterprise_name": "鼓楼小茶馆",
        "#id_enterprise_credit_code": f.credit_code(),
        "#id_legal_representative": "陈二",
        "#id_address": "福州市鼓楼区",
        "#id_contact_phone": "13700000000",
        "#id_description": "续贷时要求追加房产抵押",
        "#id_wish": "按原条件续贷",
    }
    for selector, text in typed.items():
        tab_to(page, selector)
        page.keyboard.type(text)
    a, b = map(int, re.findall(r"\d+", page.get_by_test_id("challenge").inner_text()))
    tab_to(page, "#id_challenge_answer")
    page.keyboard.type(str(a + b))
    tab_to(page, "form[data-testid=intake] button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    complaint = Complaint.objects.get(enterprise_name="鼓楼小茶馆")
    expect(page.get_by_test_id("reference")).to_have_text(complaint.reference)
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Complaint received"))


# Forms sent empty, by who fills them (None: a visitor) and where.
EMPTY_FORMS = {
    "register": (None, "/accounts/register/"),
    "password reset": (None, "/accounts/password/reset/"),
    "complaint without an account": (None, "/complaints/start/"),
    "complaint": ("owner_a", "/complaints/new/"),
    "screening task": ("p1_head", "/screening/new/"),
}


@pytest.mark.parametrize("name", list(EMPTY_FORMS))
def test_a_form_sent_empty_focuses_its_error_summary_which_leads_to_the_field(
    matrix, sign_in, page, live_server, name
):
    user_key, path = EMPTY_FORMS[name]
    if user_key is not None:
        page = sign_in(matrix.users[user_key], f.PASSWORD)
    page.goto(f"{live_server.url}{path}")
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").first.click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    first = summary.locator("a").first
    target = first.get_attribute("href").removeprefix("#")
    first.click()
    expect(page.locator(f"#{target}")).to_be_focused()
