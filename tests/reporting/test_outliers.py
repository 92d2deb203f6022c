"""Outliers found while a return is checked: a planted figure far from the filer's own last
quarters (Q301) or from its peers' in the quarter (Q302) is a quality warning with the
expected range and the reason; its neighbours are not flagged."""

import pytest

from portal.models import Role
from reporting import pipeline
from reporting.findings import render_message
from reporting.models import FilingStatus, RuleHit
from reporting.rulebook import rule
from tests import factories as f
from tests.reporting.returns import LOANS, loan_row, open_request, upload, workbook

pytestmark = pytest.mark.django_db

PERIOD = "2025Q3"
HISTORY = ("2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2")


def _checked(tmp_path, bank, rows):
    preparer = f.member(Role.PREPARER, institution=bank)
    request = open_request(bank, LOANS, period=PERIOD)
    filing = upload(preparer, request, workbook(tmp_path / "q3.xlsx", rows))
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    return filing


def _hits(filing, code):
    hit = RuleHit.objects.filter(filing=filing, code=code).first()
    return [] if hit is None else hit.examples


def test_a_figure_far_from_the_filers_own_quarters_is_flagged_and_its_neighbours_are_not(
    matrix, tmp_path
):
    bank = matrix.bank_a
    for index, period in enumerate(HISTORY):
        balance = 1000 + 10 * (index % 3)
        rows = [loan_row("350102", sme_balance=balance), loan_row("350121", sme_balance=balance)]
        f.accepted_loans(bank, rows, period)

    planted = loan_row("350102", sme_balance=30000, all_balance=90000)
    filing = _checked(tmp_path, bank, [planted, loan_row("350121", sme_balance=1015)])

    assert filing.status == FilingStatus.NEEDS_CONFIRMATION
    flagged = {(e["row"], e["column"]) for e in _hits(filing, "Q301")}
    assert (3, "sme_balance") in flagged
    assert not any(row == 4 for row, _ in flagged)  # the normal county
    assert (3, "credit_balance") not in flagged  # its unchanged figures
    example = next(e for e in _hits(filing, "Q301") if e["column"] == "sme_balance")
    message = render_message(rule("Q301"), example, LOANS, "en")
    assert "outside the expected range" in message
    assert "against its own last 6 quarters (median 1,010.00)" in message


def test_too_short_a_history_flags_nothing(matrix, tmp_path):
    f.accepted_loans(matrix.bank_a, [loan_row("350102")], "2025Q2")
    filing = _checked(tmp_path, matrix.bank_a, [loan_row("350102", sme_balance=2000)])
    assert _hits(filing, "Q301") == []


def test_a_rate_far_from_its_peers_is_flagged_and_its_neighbours_are_not(matrix, tmp_path):
    bank = matrix.bank_a
    for rate in ("3.80", "3.90", "3.85"):
        peer = f.InstitutionFactory(office=bank.office, kind=bank.kind)
        rows = [loan_row("350102", issued_rate=rate), loan_row("350121", issued_rate="3.85")]
        f.accepted_loans(peer, rows, PERIOD)
    # Another kind of institution is no peer, however different its rates.
    other = f.InstitutionFactory(office=bank.office, kind="rural_commercial")
    f.accepted_loans(other, [loan_row("350102", issued_rate="1.5")], PERIOD)

    filing = _checked(
        tmp_path, bank, [loan_row("350102", issued_rate=9.5), loan_row("350121", issued_rate=3.9)]
    )
    examples = _hits(filing, "Q302")
    assert [(e["row"], e["column"]) for e in examples] == [(3, "issued_rate")]
    message = render_message(rule("Q302"), examples[0], LOANS, "zh")
    assert "超出预期范围 2.10 – 5.60（与本省同类机构的 6 个报送数（中位数 3.85）相比）" in message


def test_the_start_of_a_new_year_is_not_an_outlier(matrix, tmp_path):
    """A start-of-year figure moves every January to the last year-end's (its cross-period
    rule checks it exactly): against the earlier quarters' starts it is no outlier."""
    bank = matrix.bank_a
    for period in HISTORY:
        year_end = period == "2024Q4"
        rows = [loan_row("350102", sme_balance=1600 if year_end else 1000, all_balance=4800)]
        f.accepted_loans(bank, rows, period)
    new_year = loan_row(
        "350102", sme_balance=1600, sme_balance_start=1600, all_balance=4800, all_balance_start=4800
    )

    filing = _checked(tmp_path, bank, [new_year])

    assert {e["column"] for e in _hits(filing, "Q301")} == {"sme_balance"}
