"""An SME owner's system files a complaint over the API as the form does (issue 22): the same
service and checks, attachments optional, and a retried create files once."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from supervision.complaints.models import Complaint
from tests import factories as f
from tests.supervision.test_complaints_pages import (
    intake_data,
    own_cache,  # noqa: F401 (autouse)
)

pytestmark = pytest.mark.django_db

COMPLAINTS = "/api/v1/complaints/"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _complaint(m, **extra) -> dict:
    """What the form takes, without its question for people (an API client has a token)."""
    data = intake_data(m, **extra)
    del data["challenge"], data["challenge_answer"]
    return data


def test_an_owner_files_and_the_bank_reads_it_another_owner_does_not(matrix):
    made = _client(matrix.users["owner_a"]).post(COMPLAINTS, _complaint(matrix), format="json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["reference"].startswith("TS") and body["status"] == "filed"
    assert body["institution"] == matrix.bank_a.pk
    detail = f"{COMPLAINTS}{body['id']}/"
    assert _client(matrix.users["bank_a"]).get(detail).status_code == 200
    assert _client(matrix.users["owner_b"]).get(detail).status_code == 404
    assert _client(matrix.users["bank_b"]).get(detail).status_code == 404


def test_a_retried_complaint_with_the_same_key_is_filed_once(matrix):
    owner = _client(matrix.users["owner_a"])
    data, key = _complaint(matrix), {"HTTP_IDEMPOTENCY_KEY": "complaint-1"}
    first = owner.post(COMPLAINTS, data, format="json", **key)
    again = owner.post(COMPLAINTS, data, format="json", **key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    other = owner.post(COMPLAINTS, {**data, "wish": "道歉"}, format="json", **key)
    assert other.status_code == 422
    assert Complaint.objects.filter(enterprise_name="鼓楼小茶馆").count() == 1


def test_attachments_come_as_multipart_and_are_checked_by_content(matrix):
    owner = _client(matrix.users["owner_a"])
    pdf = SimpleUploadedFile("contract.pdf", f.pdf_bytes(), content_type="application/pdf")
    made = owner.post(COMPLAINTS, _complaint(matrix, attachments=[pdf]), format="multipart")
    assert made.status_code == 201, made.content
    assert [a.original_name for a in Complaint.objects.get().attachments.all()] == ["contract.pdf"]
    fake = SimpleUploadedFile("invoice.pdf", b"<html><script>alert(1)</script></html>")
    refused = owner.post(
        COMPLAINTS, _complaint(matrix, attachments=[fake], wish="x"), format="multipart"
    )
    assert refused.status_code == 400
    assert "invoice.pdf" in refused.json()["non_field_errors"][0]
    assert Complaint.objects.count() == 1


def test_the_form_s_checks_hold(matrix):
    owner = _client(matrix.users["owner_a"])
    elsewhere = owner.post(
        COMPLAINTS, _complaint(matrix, branch=matrix.branch_b1.pk), format="json"
    )
    assert elsewhere.status_code == 400 and "branch" in elsewhere.json()
    bad_code = owner.post(
        COMPLAINTS, _complaint(matrix, enterprise_credit_code="123"), format="json"
    )
    assert bad_code.status_code == 400
    assert not Complaint.objects.exists()


def test_only_an_sme_owner_files(matrix):
    for user in ("bank_a", "county_a", "p1_head"):
        refused = _client(matrix.users[user]).post(COMPLAINTS, _complaint(matrix), format="json")
        assert refused.status_code == 403, user
    assert not Complaint.objects.exists()
