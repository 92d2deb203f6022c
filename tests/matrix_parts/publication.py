"""Typical cases in the matrix: a draft written at province 1 and one at province 2, each
read by its own province's regulators only until published."""

from supervision.publication import services as publication
from supervision.publication.models import CaseSource

# The matrix builds this part when a test first asks for one of these.
PROVIDES = ("typical_case_p1", "typical_case_p2")


def _draft(user, office, title: str):
    return publication.write_case(
        user,
        office,
        source=CaseSource.SCREENING,
        complaint_reference="",
        consent=False,
        consent_note="",
        title_zh=title,
        title_en="Matrix case",
        body_zh="某县支局走访小微企业，协调银行发放首贷。",
        body_en="A county office visited small firms and matched them to banks.",
    )


def build(m) -> None:
    m.typical_case_p1 = _draft(m.users["p1_head"], m.p1, "矩阵甲省典型案例")
    m.typical_case_p2 = _draft(m.users["p2_head"], m.p2, "矩阵乙省典型案例")
