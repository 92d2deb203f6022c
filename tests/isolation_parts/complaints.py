"""Complaint pages in the isolation matrix (see tests/matrix_parts/complaints.py): a bank
sees only complaints against it, a branch its own, an office its subtree, an owner theirs."""

from tests.isolation import Case, CreateCase
from tests.supervision.test_complaints_pages import intake_data


def _pk(name: str):
    return lambda m: {"pk": getattr(m, name).pk}


def _act(name: str, verb: str):
    return lambda m: {"pk": getattr(m, name).pk, "verb": verb}


OBJECT_URLS = {
    "complaint-detail": [
        Case("bank_a", "bank_b", _pk("complaint_a1")),
        Case("branch_a1", "branch_a2", _pk("complaint_a1")),
        Case("county_a", "county_b", _pk("complaint_a1")),
        Case("p1_head", "p2_head", _pk("complaint_a1")),
        Case("bank_a", "owner_a", _pk("complaint_a1")),
        Case("bank_b", "bank_a", _pk("complaint_b1")),
        Case("p2_head", "p1_head", _pk("complaint_b1")),
        Case("owner_a", "owner_b", _pk("complaint_owner_a")),
        Case("owner_b", "owner_a", _pk("complaint_owner_b")),
        Case("county_a", "bank_a", _pk("complaint_owner_a")),
    ],
    "api:complaint-detail": [
        Case("bank_a", "bank_b", _pk("complaint_a1")),
        Case("branch_a1", "branch_a2", _pk("complaint_a1")),
        Case("county_a", "county_b", _pk("complaint_a1")),
        Case("p2_head", "p1_head", _pk("complaint_b1")),
        Case("owner_a", "owner_b", _pk("complaint_owner_a")),
    ],
    "complaint-confirmation": [
        Case("owner_a", "owner_b", _pk("complaint_owner_a")),
        Case("owner_a", "county_a", _pk("complaint_owner_a")),
        Case("owner_b", "owner_a", _pk("complaint_owner_b")),
    ],
    "complaint-attachment": [
        Case("bank_a", "bank_b", _pk("attachment_a1")),
        Case("branch_a1", "branch_a2", _pk("attachment_a1")),
        Case("county_a", "county_b", _pk("attachment_a1")),
        Case("p1_head", "owner_a", _pk("attachment_a1")),
        Case("owner_a", "owner_b", _pk("attachment_owner_a")),
    ],
}

ACTION_URLS = {
    "api:complaint-acknowledge": [
        Case("bank_a", "bank_b", _pk("complaint_a1")),
        Case("branch_a1", "branch_a2", _pk("complaint_a1")),
        Case("owner_b", "owner_a", _pk("complaint_owner_b")),
    ],
    "api:complaint-answer": [
        Case("bank_b", "bank_a", _pk("complaint_b1")),
        Case("county_a", "county_b", _pk("complaint_a1")),
    ],
    "complaint-action": [
        Case("bank_a", "bank_b", _act("complaint_a1", "answer")),
        Case("branch_a1", "branch_a2", _act("complaint_a1", "acknowledge")),
        Case("p1_head", "p2_head", _act("complaint_a1", "assess")),
        Case("county_a", "county_b", _act("complaint_a1", "close")),
        Case("owner_a", "owner_b", _act("complaint_owner_a", "reject")),
        Case("owner_b", "bank_a", _act("complaint_owner_b", "accept")),
        Case("owner_a", "owner_b", _act("complaint_owner_a", "rate")),
        Case("p1_head", "p2_head", _act("complaint_a1", "refer")),
    ],
}


def _complaint_against_bank_a(m) -> dict:
    data = intake_data(m)
    del data["challenge"], data["challenge_answer"]
    return data


CREATE_URLS = {
    "api:complaint-list": [
        CreateCase(
            "owner_a",
            _complaint_against_bank_a,
            "api:complaint-detail",
            readers=("owner_a", "bank_a", "branch_a1", "county_a", "p1_head"),
            outsiders=("owner_b", "bank_b", "branch_a2", "county_b", "p2_head"),
        )
    ]
}
