"""Screening in the matrix: a task of city1 delegated to both its counties, each assigning to
its own branch of bank_a; a task of city2 assigned to branch_b1; and county_b's own task;
branch_a1's visit to its enterprise, with a photo."""

import uuid

from django.core.files.base import ContentFile
from django.utils import timezone

from supervision.screening import assignment as screening_assignment
from supervision.screening import services as screening
from supervision.screening.visits.models import Visit, VisitPhoto
from tests import factories as f

JPEG = b"\xff\xd8\xff\xe0" + bytes(32)

# The matrix builds this part when a test first asks for one of these.
PROVIDES = (
    "screening_task_p1",
    "screening_task_p2",
    "screening_task_county_b",
    "screening_code_a",
    "screening_code_b",
    "screening_code_c",
    "screening_assignment_a1",
    "screening_assignment_b1",
    "screening_enterprises",
    "screening_visit_a1",
)


def build(m) -> None:
    p1_head, p2_head = m.users["p1_head"], m.users["p2_head"]
    task = f.screening_task(p1_head, m.city1, {"350102": 2, "350121": 2}, title="矩阵筛查任务")
    screening.delegate_by_county(p1_head, task, m.city1)
    # By hand, to the matrix's own branches: other parts add banks to these counties.
    for county, branch in ((m.county_a, m.branch_a1), (m.county_b, m.branch_a2)):
        screening_assignment.assign(
            p1_head, task, county, institution=m.bank_a, branch=branch, counties=[county.code]
        )
    other = f.screening_task(p2_head, m.city2, {"440103": 1}, title="矩阵乙省筛查任务")
    screening.delegate_by_county(p2_head, other, m.city2)
    screening_assignment.assign(
        p2_head, other, m.county_c, institution=m.bank_b, branch=m.branch_b1, counties=["440103"]
    )
    own = f.screening_task(p1_head, m.county_b, {"350121": 1}, title="矩阵甲二县自有任务")
    m.screening_task_p1, m.screening_task_p2, m.screening_task_county_b = task, other, own
    code_of = {e.county: e.credit_code for e in task.enterprises.all()}
    m.screening_code_a, m.screening_code_b = code_of["350102"], code_of["350121"]
    m.screening_code_c = other.enterprises.get().credit_code
    m.screening_enterprises = {
        "a": task.enterprises.get(credit_code=m.screening_code_a),
        "b": task.enterprises.get(credit_code=m.screening_code_b),
        "c": other.enterprises.get(),
    }
    m.screening_assignment_a1 = m.branch_a1.screening_assignments.get()
    m.screening_assignment_b1 = m.branch_b1.screening_assignments.get()
    # Stored as it is, without the service: the visit must not change enterprise A's answer,
    # which other tests of the matrix read.
    m.screening_visit_a1 = Visit.objects.create(
        client_id=uuid.uuid4(),
        enterprise=m.screening_enterprises["a"],
        assignment=m.screening_assignment_a1,
        office_path=m.screening_assignment_a1.office_path,
        recorded_by=m.users["branch_a1"],
        visited_at=timezone.now(),
        visitors="矩阵客户经理",
        decision="pending",
    )
    VisitPhoto.objects.create(
        visit=m.screening_visit_a1,
        image=ContentFile(JPEG, "matrix.jpg"),
        content_type="image/jpeg",
        size=len(JPEG),
    )
