"""The evaluation's objects in the access matrix: each bank's result for 2025Q3, notified, with
a document of its self-assessment."""

from django.core.files.base import ContentFile

from supervision.models.evaluation import EvaluationStatus, Evidence
from tests import factories as f


def build(m) -> None:
    for suffix, bank, officer in (("a", m.bank_a, "bank_a"), ("b", m.bank_b, "bank_b")):
        evaluation = f.scored_evaluation(bank, status=EvaluationStatus.NOTIFIED)
        evidence = Evidence(
            evaluation=evaluation,
            code="Q4",
            original_name="免责制度.pdf",
            uploaded_by=m.users[officer],
        )
        evidence.file.save("rules.pdf", ContentFile(b"%PDF-1.4 rules"), save=True)
        setattr(m, f"evaluation_{suffix}", evaluation)
        setattr(m, f"evidence_{suffix}", evidence)
