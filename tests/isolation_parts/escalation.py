"""Escalation's pages in the isolation matrix. A case is seen by the office where it sits and
the offices above; the offices it climbed away from, and their siblings, no longer see it.
Institutions see their rectification notices (and evidence), never the case page."""

from tests.isolation import Case


def _pk(name: str):
    return lambda m: {"pk": getattr(m, name).pk}


OBJECT_URLS = {
    "escalation-case": [
        Case("county_a", "county_b", _pk("case_a1")),
        Case("p1_head", "p2_head", _pk("case_a1")),
        Case("p1_head", "bank_a", _pk("case_a1")),
        Case("p1_head", "branch_a1", _pk("case_a1")),
        # Climbed from county B to the city: county B and its sibling county A lose sight of it.
        Case("p1_head", "county_b", _pk("case_a2")),
        Case("p1_head", "county_a", _pk("case_a2")),
        Case("p1_head", "county_a", _pk("case_bank_a")),
        Case("p2_head", "p1_head", _pk("case_b1")),
    ],
    "escalation-notice": [
        Case("bank_a", "bank_b", _pk("notice_a1")),
        Case("branch_a1", "branch_a2", _pk("notice_a1")),
        Case("county_a", "county_b", _pk("notice_a1")),
        Case("p1_head", "owner_a", _pk("notice_a1")),
        Case("bank_b", "bank_a", _pk("notice_b1")),
        Case("p2_head", "p1_head", _pk("notice_b1")),
    ],
    "escalation-evidence": [
        Case("bank_a", "bank_b", _pk("evidence_a1")),
        Case("branch_a1", "branch_a2", _pk("evidence_a1")),
        Case("county_a", "county_b", _pk("evidence_a1")),
        Case("p1_head", "p2_head", _pk("evidence_a1")),
    ],
}

OBJECT_URLS.update(
    {
        "api:escalation-case-detail": [
            Case("county_a", "county_b", _pk("case_a1")),
            Case("p1_head", "county_b", _pk("case_a2")),
            Case("p2_head", "p1_head", _pk("case_b1")),
            Case("p1_head", "bank_a", _pk("case_a1")),
        ],
        "api:rectification-notice-detail": [
            Case("bank_a", "bank_b", _pk("notice_a1")),
            Case("branch_a1", "branch_a2", _pk("notice_a1")),
            Case("p2_head", "p1_head", _pk("notice_b1")),
        ],
    }
)

# The institution answers a notice through the API (a POST): another bank's or branch's is
# a 404.
ACTION_URLS = {
    "api:rectification-notice-answer": [
        Case("bank_a", "bank_b", _pk("notice_a1")),
        Case("branch_a1", "branch_a2", _pk("notice_a1")),
        Case("p1_head", "p2_head", _pk("notice_a1")),
    ],
}
