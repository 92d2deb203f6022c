"""Webhook endpoints in the isolation matrix: a bank's are its head office's officers' alone
(not its branches', not another bank's, not the regulators'); an office's are its subtree's."""

from tests.isolation import Case


def _pk(name: str):
    return lambda m: {"pk": getattr(m, name).pk}


_CASES = [
    Case("bank_a", "bank_b", _pk("endpoint_bank_a")),
    Case("bank_a", "branch_a1", _pk("endpoint_bank_a")),
    Case("bank_a", "p1_head", _pk("endpoint_bank_a")),
    Case("p1_head", "p2_head", _pk("endpoint_p1")),
    Case("p1_head", "bank_a", _pk("endpoint_p1")),
    Case("p1_head", "county_a", _pk("endpoint_p1")),
]


def _act(verb: str):
    return lambda m: {"pk": m.endpoint_bank_a.pk, "verb": verb}


OBJECT_URLS = {
    "webhook-detail": _CASES,
    "api:webhook-endpoint-detail": _CASES,
    "api:webhook-endpoint-deliveries": _CASES,
}

ACTION_URLS = {
    "api:webhook-endpoint-resume": _CASES,
    "webhook-action": [
        Case("bank_a", "bank_b", _act("pause")),
        Case("bank_a", "p2_head", _act("rotate")),
        Case("bank_a", "branch_a1", _act("delete")),
    ],
}
