"""The evaluation's objects in the access matrix: each bank's result for 2025Q3, notified."""

from supervision.models.evaluation import EvaluationStatus
from tests import factories as f


def build(m) -> None:
    m.evaluation_a = f.scored_evaluation(m.bank_a, status=EvaluationStatus.NOTIFIED)
    m.evaluation_b = f.scored_evaluation(m.bank_b, status=EvaluationStatus.NOTIFIED)
