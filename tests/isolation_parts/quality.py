"""The quality page in the isolation matrix: an office's flagged figures open for its own
subtree's regulators only; marking one (a POST) likewise."""

from tests.isolation import Case

OBJECT_URLS = {
    "quality-flagged": [
        Case("county_a", "county_b", lambda m: {"code": m.county_a.code}),
        Case("p1_head", "p2_head", lambda m: {"code": m.p1.code}),
        Case("p1_head", "bank_a", lambda m: {"code": m.p1.code}),
    ],
}

ACTION_URLS = {
    "quality-flagged": [
        Case("p1_head", "p2_head", lambda m: {"code": m.p1.code}),
        Case("p1_head", "bank_a", lambda m: {"code": m.p1.code}),
    ],
}
