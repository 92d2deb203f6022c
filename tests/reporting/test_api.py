"""The returns API: a bank files by file or by JSON rows, reads its issues, signs; a reviewer
accepts. Token authentication works as for the portal's other resources."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from portal.models import OutboxMessage, Role
from reporting import pipeline
from reporting.models import Filing, FilingSource, FilingStatus
from tests import factories as f
from tests.reporting.returns import loan_row, open_request, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def filer(matrix):
    preparer = f.member(Role.PREPARER, institution=matrix.bank_a)
    return preparer, open_request(matrix.bank_a, period="2025Q1")


def test_a_bank_files_a_workbook_with_its_token(
    api, filer, tmp_path, django_capture_on_commit_callbacks
):
    preparer, request = filer
    token = Token.objects.create(user=preparer)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    path = workbook(tmp_path / "q1.xlsx", [loan_row()])
    with path.open("rb") as handle, django_capture_on_commit_callbacks() as queued:
        response = api.post(
            reverse("api:filing-list"), {"request": request.pk, "file": handle}, format="multipart"
        )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "received" and queued
    filing = Filing.objects.get(pk=response.json()["id"])
    assert OutboxMessage.objects.get(task="reporting.tasks.validate_filing").args == [filing.pk]
    assert filing.source == FilingSource.API and filing.sha256


def test_json_rows_are_checked_by_the_same_spec(api, filer):
    preparer, request = filer
    api.force_authenticate(preparer)
    rows = [loan_row("350102"), loan_row("350121", credit_balance=99999)]
    response = api.post(
        reverse("api:filing-list"), {"request": request.pk, "rows": rows}, format="json"
    )
    assert response.status_code == 201, response.content
    pipeline.run(response.json()["id"])
    issues = api.get(reverse("api:filing-issues", kwargs={"pk": response.json()["id"]})).json()
    # A page, as the schema declares (a generated client read ``count`` and failed on a list).
    assert issues["count"] == len(issues["results"])
    hit = next(i for i in issues["results"] if i["code"] == "SL-V101")
    assert hit["count"] == 1 and hit["examples"][0]["cell"] == "I4"
    assert "credit loan balance" in hit["message_en"].lower()


def test_unknown_json_columns_are_named(api, filer):
    preparer, request = filer
    api.force_authenticate(preparer)
    response = api.post(
        reverse("api:filing-list"),
        {"request": request.pk, "rows": [{"county": "350102", "balance": 1}]},
        format="json",
    )
    assert response.status_code == 400
    assert "balance" in str(response.json())


def test_another_banks_request_is_not_found(api, filer, matrix):
    _, request = filer
    api.force_authenticate(matrix.users["bank_b"])
    response = api.post(
        reverse("api:filing-list"), {"request": request.pk, "rows": [loan_row()]}, format="json"
    )
    assert response.status_code == 404


def test_sign_then_accept_through_the_api(api, filer, matrix):
    preparer, request = filer
    approver = f.member(Role.APPROVER, institution=matrix.bank_a)
    api.force_authenticate(preparer)
    created = api.post(
        reverse("api:filing-list"),
        {"request": request.pk, "rows": [loan_row(issued_rate=0.04)]},
        format="json",
    ).json()
    pipeline.run(created["id"])
    api.force_authenticate(approver)
    sign = reverse("api:filing-sign", kwargs={"pk": created["id"]})
    refused = api.post(sign, {"confirmations": {}}, format="json")
    assert refused.status_code == 400 and "SL-Q201" in str(refused.json())
    signed = api.post(
        sign, {"confirmations": {"SL-Q201": "system exports fractions"}}, format="json"
    )
    assert signed.status_code == 200 and signed.json()["receipt_number"]
    api.force_authenticate(matrix.users["p1_head"])
    accepted = api.post(
        reverse("api:filing-accept", kwargs={"pk": created["id"]}), {}, format="json"
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == FilingStatus.ACCEPTED and accepted.json()["is_current"]


def test_a_preparer_cannot_sign(api, filer):
    preparer, request = filer
    api.force_authenticate(preparer)
    created = api.post(
        reverse("api:filing-list"), {"request": request.pk, "rows": [loan_row()]}, format="json"
    ).json()
    pipeline.run(created["id"])
    response = api.post(reverse("api:filing-sign", kwargs={"pk": created["id"]}), {}, format="json")
    assert response.status_code == 403
