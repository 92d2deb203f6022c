"""Building screening data for tests: list workbooks, and banks' answers filed, signed and
accepted through the returns pipeline as a bank would file them."""

from datetime import date, timedelta
from pathlib import Path

from django.urls import reverse
from django.utils import timezone

from portal.models import Branch, Role
from reporting import filings, pipeline
from reporting.models import FilingStatus
from reporting.specs import get_spec
from supervision.screening import results as screening_results
from supervision.screening.models import Assignment
from tests import factories as f
from tests.reporting.returns import RESULT, upload, workbook

LIST = get_spec("SCREENING-LIST")
CRITERIA = {"compliant": "是", "premises": "是", "genuine_need": "是", "good_credit": "是"}


def list_row(county: str = "350102", **changes) -> dict:
    """A SCREENING-LIST row as a person types it into the template."""
    row = {
        **f.screening_row(county),
        "entity_type": "企业",
        "size": "小型",
        "status": "企业申报",
        **CRITERIA,
        "lawful_purpose": "是",
    }
    row.update(changes)
    return row


def list_workbook(path: Path, rows: list[dict]) -> Path:
    return workbook(path, rows, spec=LIST)


def result_row(code: str, decision: str = "已授信", **changes) -> dict:
    """A SCREENING-RESULT row for one enterprise: by default, credit of 50 at 3.6%."""
    row = {
        "credit_code": code,
        "contact_date": timezone.localdate().isoformat(),
        "decision": decision,
        "credit_amount": 50 if decision == "已授信" else None,
        "loan_amount": 40 if decision == "已授信" else None,
        "loan_date": timezone.localdate().isoformat() if decision == "已授信" else None,
        "rate": 3.6 if decision == "已授信" else None,
        "first_time": "是" if decision == "已授信" else None,
    }
    row.update(changes)
    return {k: v for k, v in row.items() if v is not None}


def answer(assignment: Assignment, rows: list[dict], tmp_path: Path, reviewer) -> int:
    """The bank's preparer files ``rows`` for the assignment, its approver signs, ``reviewer``
    accepts, and the results are taken in (as the worker does on acceptance)."""
    target = {"branch": assignment.branch} if assignment.branch_id else {}
    target = target or {"institution": assignment.institution}
    preparer = f.member(Role.PREPARER, **target)
    approver = f.member(Role.APPROVER, **target)
    path = workbook(tmp_path / f"result-{assignment.pk}-{date.today()}.xlsx", rows, spec=RESULT)
    filing = upload(preparer, assignment.request, path)
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.VALID, list(filing.hits.values_list("code", flat=True))
    filings.filing_sign(approver, filing, {})
    filings.filing_accept(reviewer, filing)
    return screening_results.record_results(filing.pk)


def matrix_banks_only(matrix):
    """The matrix with only bank_a's and bank_b's branches active: other parts add banks of
    their own to its counties, which would change who gets what in round robin."""
    Branch.objects.exclude(institution__in=[matrix.bank_a, matrix.bank_b]).update(is_active=False)
    return matrix


def post_new_task(client, office, title: str, path: Path | None = None, **fields):
    """Send the new-task form for ``office`` with the list workbook at ``path`` (or other
    fields, e.g. pasted ``rows``), due in ten days."""
    data = {
        "office": office.code,
        "title": title,
        "deadline": (timezone.localdate() + timedelta(days=10)).isoformat(),
        **fields,
    }
    if path is None:
        return client.post(reverse("screening-task-create"), data)
    with path.open("rb") as handle:
        return client.post(reverse("screening-task-create"), {**data, "file": handle})
