"""Escalation cases in the matrix: one at county A (branch a1) with a rectification notice
answered with evidence, one raised at county B (branch a2) that climbed to the city, one for
bank A at its province, and one in the other province (branch b1) with a notice."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from supervision.escalation import climbing, raising
from supervision.escalation import services as escalation
from tests import factories as f

# The matrix builds this part when a test first asks for one of these.
PROVIDES = (
    "case_a1",
    "notice_a1",
    "evidence_a1",
    "case_a2",
    "case_bank_a",
    "case_b1",
    "notice_b1",
)


def build(m) -> None:
    m.case_a1 = raising.escalation_raise(f.cause(m.bank_a, branch=m.branch_a1))
    m.notice_a1 = escalation.notice_issue(
        m.users["p1_head"], m.case_a1, "矩阵整改要求", timezone.localdate() + timedelta(days=20)
    )
    answer = escalation.notice_answer(
        m.users["bank_a"],
        m.notice_a1,
        "已整改",
        [SimpleUploadedFile("evidence.pdf", b"%PDF-1.4 matrix evidence")],
    )
    m.evidence_a1 = answer.evidence.get()

    m.case_a2 = raising.escalation_raise(f.cause(m.bank_a, branch=m.branch_a2))
    climbing.climb(m.case_a2.pk, m.case_a2.deadline + timedelta(minutes=1))
    m.case_a2.refresh_from_db()

    m.case_bank_a = raising.escalation_raise(f.cause(m.bank_a, kind="return-overdue", measure=30))

    m.case_b1 = raising.escalation_raise(f.cause(m.bank_b, branch=m.branch_b1))
    m.notice_b1 = escalation.notice_issue(
        m.users["p2_head"], m.case_b1, "矩阵乙整改", timezone.localdate() + timedelta(days=20)
    )
