"""The evaluation's objects in the access matrix: each bank's result for 2025, notified, with
a document of its self-assessment; its result for 2024, notified at grade 4, with its
rectification plan and an item's evidence; and each province's data sample of its bank's rows,
one row found misreported with evidence; and each province's differentiated area and target
group for 2019."""

from datetime import date

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from supervision.evaluation import sampling
from supervision.evaluation.models import (
    AreaArrangement,
    EvaluationStatus,
    Evidence,
    GroupRule,
    TargetGroup,
)
from supervision.evaluation.rectification_models import PlanEvidence, PlanItem, RectificationPlan
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
    "graded_four_a",
    "graded_four_b",
    "plan_evidence_a",
    "plan_evidence_b",
    "area_a",
    "area_b",
    "group_a",
    "group_b",
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
        graded_four, plan_evidence = _graded_four_with_plan(m.users[officer], bank)
        setattr(m, f"graded_four_{suffix}", graded_four)
        area = AreaArrangement.objects.create(
            office=office, year=2019, reason="改革试点", set_by=m.users[head]
        )
        setattr(m, f"area_{suffix}", area)
        group = TargetGroup.objects.create(
            office=office,
            year=2019,
            name="地方法人银行",
            rule=GroupRule.LOCAL_LEGAL_PERSON,
            target=10,
            set_by=m.users[head],
        )
        setattr(m, f"group_{suffix}", group)
        setattr(m, f"plan_evidence_{suffix}", plan_evidence)
        setattr(m, f"evaluation_{suffix}", evaluation)
        setattr(m, f"evidence_{suffix}", evidence)
        setattr(m, f"sample_{suffix}", sample)
        setattr(m, f"sampled_row_{suffix}", row)


def _graded_four_with_plan(officer, bank):
    evaluation = f.scored_evaluation(bank, year="2024", status=EvaluationStatus.NOTIFIED)
    evaluation.grade, evaluation.notified_at = 4, timezone.now()
    evaluation.save(update_fields=["grade", "notified_at"])
    plan = RectificationPlan.objects.create(
        evaluation=evaluation, filed_by=officer, filed_at=timezone.now()
    )
    item = PlanItem.objects.create(
        plan=plan,
        code="CS1",
        gap="lost 8 points on CS1",
        lost=8,
        action="增加投放",
        deadline=date(2026, 12, 31),
    )
    evidence = PlanEvidence(item=item, original_name="投放台账.pdf", uploaded_by=officer)
    evidence.file.save("ledger.pdf", ContentFile(b"%PDF-1.4 ledger"), save=True)
    return evaluation, evidence
