"""A return's page lists the steps of filing it, each with where it stands in words."""

import re

import pytest
from django.urls import reverse

from reporting.models import FilingStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


def _steps(client, request) -> list[tuple[str, str]]:
    page = client.get(reverse("request-detail", kwargs={"pk": request.pk})).content.decode()
    listed = page.split('data-testid="task-list"')[1].split("</ol>")[0]
    return re.findall(r"<li><span>([^<]+)</span> <strong[^>]*>([^<]+)</strong></li>", listed)


def test_a_signed_filing_waits_for_review_with_the_earlier_steps_done(matrix, client_for):
    steps = _steps(client_for(matrix.users["bank_a"]), matrix.request_a)
    assert steps == [
        ("Download the template", "Completed"),
        ("Check a file without filing it", "Optional"),
        ("Upload the return", "Completed"),
        ("Sign and submit", "Completed"),
        ("Accepted by the supervising office", "Awaiting review"),
    ]


def test_a_return_not_yet_uploaded_starts_at_the_template(matrix, client_for):
    request = f.ReturnRequestFactory(institution=matrix.bank_a, source_ref="tasks")
    steps = dict(_steps(client_for(matrix.users["bank_a"]), request))
    assert steps["Download the template"] == "To do"
    assert steps["Upload the return"] == "To do"
    assert steps["Sign and submit"] == "Cannot start yet"


def test_a_returned_filing_asks_for_a_correction_in_chinese(matrix, client_for):
    matrix.filing_a.status = FilingStatus.RETURNED
    matrix.filing_a.save(update_fields=["status"])
    client = client_for(matrix.users["bank_a"])
    client.cookies["django_language"] = "zh-hans"
    steps = dict(_steps(client, matrix.request_a))
    assert steps["上传报表"] == "需要更正"
    assert steps["监管部门接收"] == "需要更正"
