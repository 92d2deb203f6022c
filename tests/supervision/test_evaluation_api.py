"""The evaluation API: the offices above a bank read its evaluations in every state, each line
with the reason for its points in both languages; the bank reads its own once notified."""

from decimal import Decimal

import pytest
from django.urls import reverse

from supervision.evaluation.models import EvaluationStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_an_office_reads_the_evaluations_under_it_line_by_line(matrix, client_for):
    evaluation = matrix.evaluation_a
    client = client_for(matrix.users["p1_head"])
    listed = client.get(reverse("api:evaluation-list"), {"period": "2025"}).json()["results"]
    assert [e["id"] for e in listed] == [evaluation.pk]

    found = client.get(reverse("api:evaluation-detail", args=[evaluation.pk])).json()
    assert found["credit_code"] == matrix.bank_a.credit_code
    assert (found["grade"], found["status"]) == (evaluation.grade, EvaluationStatus.NOTIFIED)
    stored = evaluation.result["lines"]
    assert [line["code"] for line in found["lines"]] == [line["code"] for line in stored]
    assert [_number(line["points"]) for line in found["lines"]] == [
        _number(line["points"]) for line in stored
    ]
    first = found["lines"][0]
    assert first["reason_zh"] and first["reason_en"] and first["reason_zh"] != first["reason_en"]


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def test_a_bank_reads_its_own_evaluation_only_once_notified(matrix, client_for):
    notified = matrix.evaluation_a
    in_review = f.scored_evaluation(matrix.bank_a, "2024", EvaluationStatus.REVIEW)
    bank = client_for(matrix.users["bank_a"])
    listed = bank.get(reverse("api:evaluation-list")).json()["results"]
    assert [e["id"] for e in listed] == [notified.pk]
    assert bank.get(reverse("api:evaluation-detail", args=[in_review.pk])).status_code == 404

    office = client_for(matrix.users["p1_head"])
    assert office.get(reverse("api:evaluation-detail", args=[in_review.pk])).status_code == 200
    other_bank = client_for(matrix.users["bank_b"])
    assert other_bank.get(reverse("api:evaluation-detail", args=[notified.pk])).status_code == 404
