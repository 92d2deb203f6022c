from tests.isolation import Case


def _task(name: str):
    return lambda m: {"pk": getattr(m, f"screening_task_{name}").pk}


def _code(name: str):
    return lambda m: {"credit_code": getattr(m, f"screening_code_{name}")}


def _assignment(name: str):
    return lambda m: {"pk": getattr(m, f"screening_assignment_{name}").pk}


ASSIGNMENT_CASES = [
    Case("branch_a1", "branch_a2", _assignment("a1")),
    Case("county_a", "county_b", _assignment("a1")),
    Case("bank_a", "bank_b", _assignment("a1")),
    Case("p1_head", "p2_head", _assignment("a1")),
    Case("bank_b", "owner_b", _assignment("b1")),
]


def _enterprise(name: str):
    return lambda m: {"pk": m.screening_enterprises[name].pk}


TASK_CASES = [
    Case("county_a", "p2_head", _task("p1")),
    Case("branch_a1", "bank_b", _task("p1")),
    Case("bank_a", "owner_a", _task("p1")),
    Case("county_b", "county_a", _task("county_b")),
    Case("p2_head", "p1_head", _task("p2")),
    Case("bank_b", "branch_a1", _task("p2")),
]


def _visit(m) -> dict:
    return {"pk": m.screening_visit_a1.pk}


VISIT_CASES = [
    Case("branch_a1", "branch_a2", _visit),
    Case("bank_a", "bank_b", _visit),
    Case("county_a", "county_b", _visit),
    Case("p1_head", "p2_head", _visit),
    Case("p1_head", "owner_a", _visit),
]


def _photo(m) -> dict:
    return {"pk": m.screening_visit_a1.photos.get().pk}


OBJECT_URLS = {
    "api:screening-visit-detail": VISIT_CASES,
    "screening-visit": VISIT_CASES,
    "screening-visit-photo": [
        Case("branch_a1", "branch_a2", _photo),
        Case("county_a", "bank_b", _photo),
        Case("p1_head", "p2_head", _photo),
    ],
    "screening-task": TASK_CASES,
    "screening-task-jobs": TASK_CASES,
    "screening-assignment-workbook": ASSIGNMENT_CASES,
    "api:screening-assignment-detail": ASSIGNMENT_CASES,
    "api:screening-assignment-enterprises": ASSIGNMENT_CASES,
    "api:screening-task-detail": [
        Case("county_b", "county_a", _task("county_b")),
        Case("branch_a1", "bank_b", _task("p1")),
        Case("p2_head", "p1_head", _task("p2")),
    ],
    "api:screening-enterprise-detail": [
        Case("county_a", "county_b", _enterprise("a")),
        Case("branch_a1", "branch_a2", _enterprise("a")),
        Case("bank_b", "bank_a", _enterprise("c")),
        Case("p1_head", "p2_head", _enterprise("b")),
    ],
    "screening-assignment": ASSIGNMENT_CASES,
    "screening-enterprise": [
        Case("county_a", "county_b", _code("a")),
        Case("branch_a1", "branch_a2", _code("a")),
        Case("county_b", "county_a", _code("b")),
        Case("p1_head", "p2_head", _code("a")),
        Case("bank_b", "bank_a", _code("c")),
    ],
}
