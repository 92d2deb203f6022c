"""The revised SME-LOANS versions (2023.2 and 2025.2) carry what the notices measure: each new
column is read and checked, cites its article in the template and on the documentation page,
and returns of the earlier versions are still read and accepted under their own version."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from portal.models import Role
from reporting import pipeline
from reporting.models import FilingRow, FilingStatus, RuleHit
from reporting.spec import INSTRUCTIONS_SHEET
from reporting.specs import get_spec, spec_for_period
from reporting.workbooks import build_template
from tests import factories as f
from tests.reporting.returns import LOANS, loan_row, open_request, revised_row, upload, workbook

pytestmark = pytest.mark.django_db

REVISED_2025 = get_spec("SME-LOANS", "2025.2")
REVISED_2023 = get_spec("SME-LOANS", "2023.2")
NEW_2025 = (
    "private_balance",
    "green_balance",
    "agri_balance",
    "large_credit_balance",
    "large_credit_borrowers",
    "financing_cost",
    "fees_ytd",
    "npl_write_off_ytd",
)
NEW_2023 = ("hard_hit_balance", "manufacturing_long_term", "specialised_balance")


@pytest.fixture
def bank(matrix):
    return matrix.bank_a


def _validated(tmp_path, bank, spec, rows, period="2025Q1"):
    preparer = f.member(Role.PREPARER, institution=bank)
    request = open_request(bank, spec, period=period)
    filing = upload(preparer, request, workbook(tmp_path / "loans.xlsx", rows, spec))
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    return filing


def test_the_revisions_are_in_force_for_their_periods_and_keep_the_old_columns_in_place():
    assert spec_for_period("SME-LOANS", "2024Q2") == REVISED_2023
    assert spec_for_period("SME-LOANS", "2026Q1") == REVISED_2025
    old = get_spec("SME-LOANS", "2025").column_keys
    assert REVISED_2025.column_keys[: len(old)] == old
    assert set(NEW_2025) <= set(REVISED_2025.column_keys)
    assert set(NEW_2023) <= set(REVISED_2023.column_keys)
    assert "private_balance" not in REVISED_2023.column_keys


def test_every_new_column_is_read_as_filed(tmp_path, bank):
    filing = _validated(
        tmp_path, bank, REVISED_2025, [revised_row("350102", green_balance="70.55")]
    )
    assert filing.status == FilingStatus.VALID, list(RuleHit.objects.filter(filing=filing))
    values = FilingRow.objects.get(filing=filing).values(REVISED_2025)
    assert values["green_balance"] == Decimal("70.55")
    assert values["financing_cost"] == Decimal("4.25")
    assert values["large_credit_borrowers"] == 2
    assert values["private_balance"] == Decimal(400)

    filing = _validated(tmp_path, bank, REVISED_2023, [revised_row("350102")], period="2024Q1")
    assert filing.status == FilingStatus.VALID
    values = FilingRow.objects.get(filing=filing).values(REVISED_2023)
    assert (values["hard_hit_balance"], values["specialised_balance"]) == (200, 50)


@pytest.mark.parametrize(
    ("spec", "changes", "code"),
    [
        (REVISED_2025, {"private_balance": 1001}, "SL-V115"),
        (REVISED_2025, {"green_balance": 1001}, "SL-V120"),
        (REVISED_2025, {"agri_balance": 1001}, "SL-V121"),
        (REVISED_2025, {"large_credit_balance": 3001}, "SL-V122"),
        (REVISED_2025, {"large_credit_borrowers": 0}, "SL-V123"),
        (REVISED_2025, {"fees_ytd": None}, "V001"),
        (REVISED_2023, {"hard_hit_balance": 1001}, "SL-V116"),
        (REVISED_2023, {"specialised_balance": 1001}, "SL-V117"),
        (REVISED_2023, {"manufacturing_long_term": 1001}, "SL-V113"),
        (REVISED_2023, {"npl_write_off_ytd": -1}, "V003"),
    ],
)
def test_each_new_column_is_checked(tmp_path, bank, spec, changes, code):
    filing = _validated(tmp_path, bank, spec, [revised_row("350102", **changes)])
    assert filing.status == FilingStatus.REJECTED
    assert RuleHit.objects.filter(filing=filing, code=code).exists()


def test_a_total_cost_below_the_rate_is_a_warning_to_confirm(tmp_path, bank):
    filing = _validated(tmp_path, bank, REVISED_2025, [revised_row("350102", financing_cost=3.5)])
    assert filing.status == FilingStatus.NEEDS_CONFIRMATION
    assert RuleHit.objects.filter(filing=filing, code="SL-Q205").exists()


def test_a_return_of_the_earlier_version_is_still_accepted_under_it(tmp_path, bank):
    filing = _validated(tmp_path, bank, LOANS, [loan_row("350102")])
    assert (filing.spec_version, filing.status) == ("2025", FilingStatus.VALID)
    assert "green_balance" not in FilingRow.objects.get(filing=filing).values(LOANS)


def test_the_template_and_the_documentation_cite_each_new_columns_article(client_for):
    wb = openpyxl.load_workbook(io.BytesIO(build_template(REVISED_2023)))
    instructions = "\n".join(
        str(cell) for row in wb[INSTRUCTIONS_SHEET].iter_rows(values_only=True) for cell in row
    )
    assert "依据：2023年通知（七）" in instructions
    assert "Source: 2023 notice, item 4 (四)" in instructions

    client = client_for(f.UserFactory())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("spec-detail", kwargs={"code": "SME-LOANS", "version": "2025.2"})
    page = client.get(url).content.decode()
    assert "Source: 2023 notice (八); 2025 notice III(IV)" in page
    assert "Source: 2025 notice II(II)" in page
