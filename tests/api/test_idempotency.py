"""A bank's system that retries a create after a timeout makes it once (``Idempotency-Key``)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from portal.models import Role
from reporting.models import Filing
from tests import factories as f
from tests.reporting.returns import loan_row, open_request, workbook

pytestmark = pytest.mark.django_db

FILINGS = "/api/v1/filings/"


@pytest.fixture
def bank(matrix):
    preparer = f.member(Role.PREPARER, institution=matrix.bank_a)
    client = APIClient()
    client.force_authenticate(preparer)
    return client, open_request(matrix.bank_a, period="2025Q1")


def _rows(request, *rows) -> dict:
    return {"request": request.pk, "rows": list(rows) or [loan_row()]}


def test_a_retried_create_with_the_same_key_makes_one_filing(bank):
    client, request = bank
    first = client.post(FILINGS, _rows(request), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(FILINGS, _rows(request), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Filing.objects.filter(request=request).count() == 1


def test_the_same_key_with_another_body_is_refused(bank):
    client, request = bank
    client.post(FILINGS, _rows(request), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = _rows(request, loan_row("350121"))
    refused = client.post(FILINGS, other, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert refused.status_code == 422 and "Idempotency-Key" in refused.json()["detail"]
    assert Filing.objects.filter(request=request).count() == 1


def test_a_retried_upload_of_the_same_file_is_one_filing(bank, tmp_path):
    client, request = bank
    path = workbook(tmp_path / "q1.xlsx", [loan_row()])
    answers = []
    for _ in range(2):  # each multipart body has its own boundary; the file is the same
        with path.open("rb") as handle:
            answers.append(
                client.post(
                    FILINGS,
                    {"request": request.pk, "file": handle},
                    format="multipart",
                    HTTP_IDEMPOTENCY_KEY="upload-1",
                )
            )
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Filing.objects.filter(request=request).count() == 1


def test_a_refused_request_leaves_its_key_free_for_the_corrected_one(bank):
    client, request = bank
    refused = client.post(
        FILINGS, {"request": request.pk, "rows": []}, format="json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    assert refused.status_code == 400
    made = client.post(FILINGS, _rows(request), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert made.status_code == 201


def test_a_key_is_kept_for_the_configured_hours_only(bank, settings):
    settings.PORTAL_IDEMPOTENCY_HOURS = 2
    client, request = bank
    client.post(FILINGS, _rows(request), format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    later = timezone.now() + timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        anew = client.post(FILINGS, _rows(request), format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert anew.status_code == 201 and "Idempotent-Replayed" not in anew
    assert Filing.objects.filter(request=request).count() == 2


def test_keys_are_each_users_own(bank, matrix):
    client, request = bank
    colleague = APIClient()
    colleague.force_authenticate(f.member(Role.PREPARER, institution=matrix.bank_a))
    client.post(FILINGS, _rows(request), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    theirs = colleague.post(FILINGS, _rows(request), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert theirs.status_code == 201
    assert Filing.objects.filter(request=request).count() == 2


def test_a_key_that_is_not_printable_ascii_is_refused(bank):
    client, request = bank
    refused = client.post(FILINGS, _rows(request), format="json", HTTP_IDEMPOTENCY_KEY="a b")
    assert refused.status_code == 400 and "Idempotency-Key" in refused.json()


def test_every_create_and_verb_in_the_api_takes_an_idempotency_key():
    """A new POST (visits, ...) must decorate its handler with ``portal.idempotency.idempotent``;
    only obtaining a token is exempt (it creates nothing a retry could duplicate)."""
    schema = SchemaGenerator().get_schema(public=True)
    posts = {
        path: operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method == "post" and path != "/api/v1/token/"
    }
    assert "/api/v1/filings/" in posts
    lacking = [
        path
        for path, operation in posts.items()
        if not any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    ]
    assert lacking == []
