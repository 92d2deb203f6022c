"""Issue 17's journey in a real browser: an insurer's preparer files SME-INSURANCE; once it is
accepted, the province's insurance view shows it; the province's head marks an outlier found
in a bank's return "follow up" on the flagged figures page, and the next sample of rows to
verify draws it. Validation runs in the test's own process (``pipeline.run``), or in CI's
worker when its message got there first: the worker's path is the returns journey's subject."""

import pytest
from playwright.sync_api import expect

from portal.models import InstitutionKind, Role
from reporting.models import Filing, FilingRow, FilingStatus, RuleHit
from supervision.evaluation import sampling
from tests import factories as f
from tests.browser.chinese import zh
from tests.reporting.returns import (
    INSURANCE,
    LOANS,
    checked,
    loan_row,
    open_request,
    upload,
    workbook,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERIOD = "2025Q3"
HISTORY = ("2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2")


def _accepted(filing: Filing) -> None:
    """Signed and accepted, as the approver and the reviewer would (the returns journey
    walks those steps in the browser)."""
    Filing.objects.filter(pk=filing.pk).update(status=FilingStatus.ACCEPTED, is_current=True)


def test_an_insurers_return_reaches_the_insurance_view_and_an_outlier_the_sample(
    matrix, sign_in, live_server, tmp_path
):
    m = matrix
    insurer = f.InstitutionFactory(kind=InstitutionKind.INSURER, office=m.city1)
    preparer = f.member(Role.PREPARER, institution=insurer)
    request = open_request(insurer, INSURANCE, period=PERIOD)
    rows = [
        {
            "product_line": "export_credit",
            "policies": 40,
            "premiums": 12,
            "sum_insured": 900,
            "claims_paid": 3,
            "claims": 2,
            "settle_days": 6,
            "individual_policies": 10,
            "individual_premiums": 2,
        }
    ]
    path = workbook(tmp_path / "insurance.xlsx", rows, INSURANCE)

    # -- the insurer's preparer uploads the return in the browser ----------------------------
    page = sign_in(preparer, f.PASSWORD)
    page.goto(f"{live_server.url}/returns/requests/{request.pk}/")
    form = page.locator("form.upload")
    form.locator("input[type=file]").set_input_files(path)
    with page.expect_navigation():
        form.get_by_role("button", name=zh("Upload"), exact=True).click()
    filing = Filing.objects.get(request=request)
    filing = checked(filing.pk)
    assert filing.status == FilingStatus.VALID
    _accepted(filing)

    # -- the province's head reads it on the insurance view ----------------------------------
    head = m.users["p1_head"]
    page.context.clear_cookies()
    page = sign_in(head, f.PASSWORD)
    page.goto(f"{live_server.url}/dashboards/{m.p1.code}/insurance/?period={PERIOD}")
    expect(page.get_by_test_id("insurance-insurers")).to_contain_text(insurer.name_zh)
    expect(page.locator("[data-line=export_credit]")).to_contain_text("40")

    # -- a bank's return with a planted outlier, flagged when checked ----------------------
    bank = m.bank_a
    for period in HISTORY:
        f.accepted_loans(bank, [loan_row("350102"), loan_row("350121")], period)
    planted = [loan_row("350102", sme_balance=30000, all_balance=90000), loan_row("350121")]
    loans = upload(
        f.member(Role.PREPARER, institution=bank),
        open_request(bank, LOANS, period=PERIOD),
        workbook(tmp_path / "loans.xlsx", planted),
    )
    # Checked, and the outlier found against the bank's own history: were it not, the page
    # below could not list it.
    loans = checked(loans.pk)
    assert loans.status == FilingStatus.NEEDS_CONFIRMATION, loans.status
    hit = RuleHit.objects.get(filing=loans, code="Q301")
    flagged = {(e["row"], e["column"]) for e in hit.examples}
    assert (3, "sme_balance") in flagged and all(row == 3 for row, _column in flagged)
    _accepted(loans)

    # -- the head marks it "follow up" on the flagged figures page ---------------------------
    page.goto(f"{live_server.url}/quality/{m.p1.code}/?period={PERIOD}")
    figure = page.get_by_test_id(f"flagged-{loans.pk}-3-sme_balance")
    expect(figure).to_be_visible()
    with page.expect_navigation():
        figure.get_by_role("button", name=zh("follow up"), exact=True).click()
    expect(page.get_by_test_id(f"flagged-{loans.pk}-3-sme_balance")).to_contain_text(
        zh("follow up")
    )

    # -- and the next sample of rows to verify draws it --------------------------------------
    sample = sampling.draw(head, m.p1, PERIOD, 1, seed=7)
    flagged_row = FilingRow.objects.get(filing=loans, row=3)
    assert flagged_row.pk in set(sample.rows.values_list("filing_row_id", flat=True))
