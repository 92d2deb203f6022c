"""End to end with a real Celery worker (PostgreSQL and Redis in CI): an upload is validated
by the worker, signed by the approver and accepted by the reviewer."""

import pytest

from portal.models import Role
from reporting import filings
from reporting.models import Filing, FilingRow, FilingStatus
from tests import factories as f
from tests.reporting.returns import loan_row, open_request, upload, workbook


@pytest.mark.worker
def test_an_upload_goes_through_a_real_worker_to_accepted(celery_worker, matrix, tmp_path):
    bank = matrix.bank_a
    preparer = f.member(Role.PREPARER, institution=bank)
    approver = f.member(Role.APPROVER, institution=bank)
    request = open_request(bank, period="2025Q1")
    path = workbook(
        tmp_path / "q1.xlsx", [loan_row("350102"), loan_row("350121", issued_rate=0.04)]
    )

    filing = upload(preparer, request, path)
    validated = celery_worker.wait_until(
        lambda: (
            Filing.objects.exclude(status__in=["received", "validating"])
            .filter(pk=filing.pk)
            .first()
        ),
        what="the worker to validate the filing",
    )
    assert validated.status == FilingStatus.NEEDS_CONFIRMATION
    # The rate warning to confirm, and the note that no accepted year-end was there to compare.
    assert dict(validated.hits.values_list("code", "severity")) == {
        "SL-Q201": "warning",
        "N002": "note",
    }
    assert FilingRow.objects.filter(filing=filing).count() == 2

    signed = filings.filing_sign(approver, validated, {"SL-Q201": "rates exported as fractions"})
    accepted = filings.filing_accept(matrix.users["p1_head"], signed, "")
    assert accepted.status == FilingStatus.ACCEPTED and accepted.is_current
    assert accepted.receipt_number.startswith("SME-LOANS-2025Q1-")


@pytest.mark.worker
def test_a_flawed_upload_is_rejected_by_the_worker_with_cells(celery_worker, matrix, tmp_path):
    preparer = f.member(Role.PREPARER, institution=matrix.bank_a)
    request = open_request(matrix.bank_a, period="2025Q2")
    path = workbook(tmp_path / "bad.xlsx", [loan_row(sme_npl=-1, borrowers="many")])
    filing = upload(preparer, request, path)
    rejected = celery_worker.wait_until(
        lambda: Filing.objects.filter(pk=filing.pk, status=FilingStatus.REJECTED).first(),
        what="the worker to reject the filing",
    )
    cells = {h.code: h.examples[0]["cell"] for h in rejected.hits.all()}
    assert cells["V003"] == "N3" and cells["V002"] == "F3"
    assert not FilingRow.objects.filter(filing=filing).exists()
