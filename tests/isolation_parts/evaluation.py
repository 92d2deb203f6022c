"""The evaluation's pages in the isolation matrix: a scorecard and its workbook open for the
bank itself and the offices above its head office, and for nobody else."""

from tests.isolation import Case


def _of(suffix: str, kind: str = "evaluation"):
    return lambda m: {"pk": getattr(m, f"{kind}_{suffix}").pk}


SCORECARD_CASES = [
    Case("bank_a", "bank_b", _of("a")),
    Case("bank_b", "bank_a", _of("b")),
    Case("p1_head", "p2_head", _of("a")),
    Case("p2_head", "p1_head", _of("b")),
    Case("gb_head", "county_a", _of("a")),  # a county office does not see a provincial bank
    Case("bank_a", "branch_a1", _of("a")),  # a branch is not the legal entity
    Case("p1_head", "owner_a", _of("a")),
]

PLAN_CASES = [
    Case("bank_a", "bank_b", _of("a", "graded_four")),
    Case("p1_head", "p2_head", _of("a", "graded_four")),
    Case("p2_head", "county_a", _of("b", "graded_four")),
    Case("bank_b", "branch_a1", _of("b", "graded_four")),
]


def _plan_of(suffix: str):
    return lambda m: {"pk": getattr(m, f"graded_four_{suffix}").rectification_plan.pk}


OBJECT_URLS = {
    "evaluation-plan": PLAN_CASES,
    "evaluation-plan-evidence": [
        Case("bank_a", "bank_b", _of("a", "plan_evidence")),
        Case("p1_head", "p2_head", _of("a", "plan_evidence")),
        Case("p2_head", "county_a", _of("b", "plan_evidence")),
        Case("bank_b", "branch_a1", _of("b", "plan_evidence")),
    ],
    "api:rectification-plan-detail": [
        Case("bank_a", "bank_b", _plan_of("a")),
        Case("p2_head", "p1_head", _plan_of("b")),
        Case("bank_b", "branch_a1", _plan_of("b")),
    ],
    "evaluation-detail": SCORECARD_CASES,
    "evaluation-xlsx": SCORECARD_CASES,
    "evaluation-publication": SCORECARD_CASES,
    "api:evaluation-detail": SCORECARD_CASES,
    "evaluation-evidence": [
        Case("bank_a", "bank_b", _of("a", "evidence")),
        Case("p1_head", "p2_head", _of("a", "evidence")),
        Case("p2_head", "county_a", _of("b", "evidence")),
        Case("bank_b", "branch_a1", _of("b", "evidence")),
    ],
    "sample-detail": [
        Case("p1_head", "p2_head", _of("a", "sample")),
        Case("p2_head", "p1_head", _of("b", "sample")),
        Case("gb_head", "county_a", _of("a", "sample")),  # drawn by the province
        Case("p1_head", "bank_a", _of("a", "sample")),  # the bank sees its rows, not the sample
    ],
    "sample-row-evidence": [
        Case("bank_a", "bank_b", _of("a", "sampled_row")),
        Case("p1_head", "p2_head", _of("a", "sampled_row")),
        Case("bank_b", "branch_a1", _of("b", "sampled_row")),
        Case("p2_head", "county_a", _of("b", "sampled_row")),
    ],
}

# An outsider's step is a 404 before the form is read.
ACTION_URLS = {
    "evaluation-act": SCORECARD_CASES,
    "evaluation-plan-act": PLAN_CASES,
    # The insider's post removes the arrangement: one case for each.
    "evaluation-area-remove": [
        Case("p1_head", "county_a", _of("a", "area")),  # an office below sees no area above
        Case("p2_head", "p1_head", _of("b", "area")),
    ],
    "evaluation-group-remove": [
        Case("p1_head", "county_a", _of("a", "group")),  # an office below sees no group above
        Case("p2_head", "p1_head", _of("b", "group")),
    ],
    "sample-row-act": [
        Case("p1_head", "p2_head", _of("a", "sampled_row")),
        Case("p2_head", "bank_a", _of("b", "sampled_row")),
        Case("p1_head", "county_b", _of("a", "sampled_row")),
    ],
}

# The schemes are the rulebook: every signed-in user reads them.
PUBLIC_URLS = {
    "evaluation-scheme": lambda m: {"version": "2025"},
}
