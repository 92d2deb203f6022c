"""The evaluation's objects in the access matrix: each bank's result for 2025, notified, with
a document of its self-assessment; and each province's data sample of its bank's rows, one
row found misreported with evidence."""

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from supervision.evaluation import sampling
from supervision.evaluation.models import EvaluationStatus, Evidence
from tests import factories as f

# The matrix builds this part when a test first asks for one of these.
PROVIDES = (
    "evaluation_a",
    "evaluation_b",
    "evidence_a",
    "evidence_b",
    "sample_a",
    "sample_b",
    "sampled_row_a",
    "sampled_row_b",
)


def build(m) -> None:
    for suffix, bank, officer, office, head in (
        ("a", m.bank_a, "bank_a", m.p1, "p1_head"),
        ("b", m.bank_b, "bank_b", m.p2, "p2_head"),
    ):
        evaluation = f.scored_evaluation(bank, status=EvaluationStatus.NOTIFIED)
        evidence = Evidence(
            evaluation=evaluation,
            code="Q4",
            original_name="免责制度.pdf",
            uploaded_by=m.users[officer],
        )
        evidence.file.save("rules.pdf", ContentFile(b"%PDF-1.4 rules"), save=True)
        sample = sampling.draw(m.users[head], office, "2025Q4", 1, seed=7)
        row = sample.rows.get()
        sampling.record(
            m.users[head],
            row,
            "misreported",
            "与原始台账不符",
            SimpleUploadedFile("台账.pdf", b"%PDF-1.4 ledger"),
        )
        setattr(m, f"evaluation_{suffix}", evaluation)
        setattr(m, f"evidence_{suffix}", evidence)
        setattr(m, f"sample_{suffix}", sample)
        setattr(m, f"sampled_row_{suffix}", row)
