"""Webhook endpoints in the matrix: one of bank A (with a delivery), one of province 1's office."""

from portal.webhooks.models import Delivery, Endpoint

PROVIDES = ("endpoint_bank_a", "endpoint_p1")


def build(m) -> None:
    m.endpoint_bank_a = Endpoint.objects.create(
        institution=m.bank_a, url="https://bank-a.example/hooks", events=["filing.accepted"]
    )
    Delivery.objects.create(
        endpoint=m.endpoint_bank_a,
        event_id="evt_matrix",
        event_type="filing.accepted",
        payload={"id": "evt_matrix", "type": "filing.accepted", "data": {"office": "矩阵"}},
    )
    m.endpoint_p1 = Endpoint.objects.create(
        office=m.p1, url="https://p1.example/hooks", events=["complaint.received"]
    )
