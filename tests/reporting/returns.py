"""Building return workbooks for tests: the spec's own template, filled with given rows."""

import io
from pathlib import Path
from typing import Any

import openpyxl

from reporting.spec import HEADER_ROWS, ReturnSpec
from reporting.specs import get_spec
from reporting.workbooks import build_template

LOANS = get_spec("SME-LOANS", "2025")
LOANS_2023 = get_spec("SME-LOANS", "2023")
INSURANCE = get_spec("SME-INSURANCE", "2025")
RESULT = get_spec("SCREENING-RESULT", "2025")


def loan_row(county: str = "350102", **changes: Any) -> dict[str, Any]:
    """A county row of SME-LOANS that passes every rule."""
    row = {
        "county": county,
        "sme_balance": 1000,
        "sme_balance_start": 900,
        "all_balance": 3000,
        "all_balance_start": 2800,
        "borrowers": 120,
        "borrowers_start": 100,
        "first_time": 12,
        "credit_balance": 300,
        "long_term_balance": 200,
        "renewal_balance": 50,
        "issued_ytd": 600,
        "issued_rate": 3.85,
        "sme_npl": 10,
        "all_npl": 30,
        "individual_balance": 250,
        "individual_borrowers": 40,
        "foreign_trade_balance": 50,
        "technology_balance": 60,
        "manufacturing_long_term": 40,
        "consumption_balance": 30,
    }
    row.update(changes)
    return row


# The figures the revisions (2023.2 and 2025.2) add; each revision reads those it has.
REVISED_FIGURES: dict[str, Any] = {
    "private_balance": 400,
    "hard_hit_balance": 200,
    "specialised_balance": 50,
    "green_balance": 70,
    "agri_balance": 150,
    "large_credit_balance": 500,
    "large_credit_borrowers": 2,
    "financing_cost": 4.25,
    "fees_ytd": 1.2,
    "npl_write_off_ytd": 3,
}


def revised_row(county: str = "350102", **changes: Any) -> dict[str, Any]:
    """A county row of a revised SME-LOANS version that passes every rule."""
    return loan_row(county, **{**REVISED_FIGURES, **changes})


def workbook(
    path: Path,
    rows: list[dict[str, Any]],
    spec: ReturnSpec = LOANS,
    *,
    edit=None,
) -> Path:
    """Write ``rows`` into ``spec``'s template at ``path``; ``edit(wb)`` may change it first."""
    wb = openpyxl.load_workbook(io.BytesIO(build_template(spec)))
    sheet = wb[spec.sheet]
    for offset, row in enumerate(rows):
        for index, key in enumerate(spec.column_keys, start=1):
            if key in row:
                sheet.cell(HEADER_ROWS + 1 + offset, index, row[key])
    if edit:
        edit(wb)
    wb.save(path)
    return path


def open_request(institution, spec: ReturnSpec = LOANS, period: str = "2025Q1", **fields):
    """A return request of ``institution`` for ``spec`` and ``period``, due in April 2025."""
    from datetime import date

    from reporting import schedule
    from reporting.models import RequestSource

    defaults = {"due_date": date(2025, 4, 25), "source": RequestSource.SCHEDULE}
    defaults.update(fields)
    request = schedule.open_request(
        spec_code=spec.code,
        period=period,
        institution=institution,
        office=institution.office,
        **defaults,
    )
    request.spec_version = spec.version
    request.save(update_fields=["spec_version"])
    return request


def upload(user, request, path: Path, **options):
    """File ``path`` against ``request`` through the upload service, as the web form does."""
    from django.core.files import File

    from reporting import filings

    with path.open("rb") as handle:
        return filings.filing_upload(user, request, File(handle), name=path.name, **options)


def checked(filing_id: int):
    """The filing once validated: here, or by the worker that took its message first (a
    transactional test's upload commits, so its message reaches CI's real worker, and this
    process's ``pipeline.run`` then finds the filing already claimed)."""
    import time

    from reporting import pipeline
    from reporting.models import Filing

    pipeline.run(filing_id)
    deadline = time.monotonic() + 120
    while True:
        filing = Filing.objects.get(pk=filing_id)
        if not filing.is_pending or time.monotonic() > deadline:
            return filing
        time.sleep(0.2)
