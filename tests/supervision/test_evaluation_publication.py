"""The bank publishes its notified result: a workbook in Chinese and in English with the grade
and the points, and none of the office's working; nothing before notification."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from supervision.evaluation.models import EvaluationStatus
from tests import factories as f
from tests.supervision.test_evaluation_results import COUNTY_ROWS

pytestmark = pytest.mark.django_db


def _sheets(response) -> dict[str, list]:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}


def test_the_notified_result_is_published_in_both_languages(matrix, client_for):
    evaluation = matrix.evaluation_a
    client = client_for(matrix.users["bank_a"])
    page = client.get(reverse("evaluation-detail", args=[evaluation.pk])).content.decode()
    assert 'data-testid="publication"' in page
    response = client.get(reverse("evaluation-publication", args=[evaluation.pk]))
    assert response.status_code == 200
    sheets = _sheets(response)
    zh, en = f"评价结果公布 {evaluation.period}", f"Published result {evaluation.period}"
    assert set(sheets) == {zh, en}
    chinese, english = sheets[zh], sheets[en]
    assert ["机构", matrix.bank_a.name_zh] in chinese
    assert ["评价等级", evaluation.grade_label] in chinese
    assert ["Grade", evaluation.grade_label] in english
    text = str(chinese + english)
    assert "Why" not in text and "说明" not in text and "Inputs" not in text


def test_nothing_is_published_before_notification(matrix, client_for):
    bank = matrix.bank_a
    in_review = f.scored_evaluation(bank, "2024", EvaluationStatus.REVIEW, rows=COUNTY_ROWS)
    for who in ("bank_a", "p1_head"):
        response = client_for(matrix.users[who]).get(
            reverse("evaluation-publication", args=[in_review.pk])
        )
        assert response.status_code == 404, who
