"""The dashboards' URLs in the isolation matrix: an office's dashboard opens for its own
subtree's regulators; an institution's or a branch's needs both the office and the filer in
the user's scope. Banks and SME owners have no dashboard."""

from tests.isolation import Case

OBJECT_URLS = {
    "dashboard": [
        Case("county_a", "county_b", lambda m: {"code": m.county_a.code}),
        Case("p1_head", "p2_head", lambda m: {"code": m.city1.code}),
        Case("gb_head", "p1_head", lambda m: {"code": m.gb.code}),
        Case("p1_head", "bank_a", lambda m: {"code": m.p1.code}),
        Case("county_a", "branch_a1", lambda m: {"code": m.county_a.code}),
    ],
    "dashboard-institution": [
        Case("p1_head", "p2_head", lambda m: {"code": m.p1.code, "pk": m.bank_a.pk}),
        Case("county_a", "county_b", lambda m: {"code": m.county_a.code, "pk": m.bank_a.pk}),
        Case("gb_head", "county_a", lambda m: {"code": m.county_a.code, "pk": m.bank_b.pk}),
        Case("p2_head", "bank_b", lambda m: {"code": m.p2.code, "pk": m.bank_b.pk}),
    ],
    "dashboard-branch": [
        Case("county_a", "county_b", lambda m: {"code": m.county_a.code, "pk": m.branch_a1.pk}),
        Case("gb_head", "county_a", lambda m: {"code": m.county_a.code, "pk": m.branch_a2.pk}),
        Case("p1_head", "branch_a1", lambda m: {"code": m.p1.code, "pk": m.branch_a1.pk}),
    ],
    "completeness": [
        Case("county_a", "county_b", lambda m: {"code": m.county_a.code}),
        Case("p1_head", "p2_head", lambda m: {"code": m.p1.code}),
        Case("p2_head", "bank_b", lambda m: {"code": m.p2.code}),
    ],
    "dashboard-insurance": [
        Case("county_a", "county_b", lambda m: {"code": m.county_a.code}),
        Case("p1_head", "p2_head", lambda m: {"code": m.p1.code}),
        Case("gb_head", "bank_a", lambda m: {"code": m.gb.code}),
    ],
    "status-board": [
        Case("county_b", "county_a", lambda m: {"code": m.county_b.code}),
        Case("p1_head", "p2_head", lambda m: {"code": m.city1.code}),
        Case("gb_head", "owner_a", lambda m: {"code": m.gb.code}),
    ],
    "dashboard-exports": [
        Case("county_a", "county_b", lambda m: {"code": m.county_a.code}),
        Case("p1_head", "p2_head", lambda m: {"code": m.p1.code}),
        Case("gb_head", "branch_a2", lambda m: {"code": m.gb.code}),
    ],
    # An export was built with its requester's scope: it is theirs alone.
    **{
        name: [
            Case("p1_head", "p2_head", lambda m: {"pk": m.export_p1.pk}),
            Case("p1_head", "gb_head", lambda m: {"pk": m.export_p1.pk}),
            Case("p1_head", "bank_a", lambda m: {"pk": m.export_p1.pk}),
        ]
        for name in ("dashboard-export", "dashboard-export-download")
    },
}

# Reminding from the board: a head of the subtree may; an outsider's POST is a 404.
ACTION_URLS = {
    "status-board": [
        Case("p1_head", "p2_head", lambda m: {"code": m.p1.code}),
        Case("p1_head", "county_a", lambda m: {"code": m.county_a.code}),
    ],
    # Asking for an export of an office outside one's subtree.
    "dashboard-exports": [
        Case("p1_head", "p2_head", lambda m: {"code": m.p1.code}),
        Case("county_a", "bank_a", lambda m: {"code": m.county_a.code}),
    ],
}
