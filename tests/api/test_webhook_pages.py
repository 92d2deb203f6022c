"""The webhook pages: an approver (or an office's reviewer) registers an endpoint choosing its
events, sees its secret once, pauses, resumes, gives it a new secret, removes it, and reads its
delivery log; others in scope read it; nobody else reaches it."""

import pytest
from django.urls import reverse

from portal.models import AuditEvent, Role
from portal.webhooks import delivery
from portal.webhooks.models import Attempt, Delivery, Endpoint
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    monkeypatch.setattr(delivery, "resolve", lambda host, port: ["93.184.215.14"])


@pytest.fixture
def approver(matrix):
    return f.member(Role.APPROVER, institution=matrix.bank_a)


def _register(client, **extra):
    data = {"url": "https://hooks.bank-a.example/portal", "events": ["filing.accepted"]}
    return client.post(reverse("webhook-list"), {**data, **extra})


def test_an_approver_registers_sees_the_secret_once_and_the_log(matrix, approver, client_for):
    client = client_for(approver)
    assert "Webhooks" in client.get(reverse("home"), follow=True).content.decode()
    made = _register(client, events=["filing.accepted", "complaint.received"])
    assert made.status_code == 200
    endpoint = Endpoint.objects.get(institution=matrix.bank_a, url__contains="hooks.bank-a")
    assert endpoint.events == ["complaint.received", "filing.accepted"]
    assert endpoint.secret in made.content.decode()
    sent = Delivery.objects.create(
        endpoint=endpoint, event_id="evt_1", event_type="filing.accepted", payload={}, attempts=2
    )
    Attempt.objects.create(delivery=sent, status_code=503)
    Attempt.objects.create(delivery=sent, error="ConnectionRefusedError: refused")
    page = client.get(reverse("webhook-detail", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in page  # shown once, when registered
    assert "evt_1" in page and "503" in page and "ConnectionRefusedError" in page
    listed = client.get(reverse("webhook-list")).content.decode()
    assert "hooks.bank-a.example" in listed


def test_a_refused_address_comes_back_with_the_error_summary(approver, client_for, monkeypatch):
    monkeypatch.setattr(delivery, "resolve", lambda host, port: ["10.0.0.8"])
    client = client_for(approver)
    page = _register(client).content.decode()
    assert 'data-testid="error-summary"' in page and "not a public address" in page
    empty = client.post(reverse("webhook-list"), {"url": ""}).content.decode()
    assert 'data-testid="error-summary"' in empty
    assert not Endpoint.objects.filter(url__contains="hooks.bank-a").exists()


def test_pause_resume_new_secret_and_remove(matrix, approver, client_for):
    client = client_for(approver)
    _register(client)
    endpoint = Endpoint.objects.get(url__contains="hooks.bank-a")
    old_secret = endpoint.secret

    def act(verb):
        return client.post(reverse("webhook-action", args=[endpoint.pk, verb]), follow=True)

    act("pause")
    endpoint.refresh_from_db()
    assert endpoint.paused_at is not None
    act("resume")
    endpoint.refresh_from_db()
    assert endpoint.paused_at is None
    rotated = act("rotate").content.decode()
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret and endpoint.secret in rotated
    act("delete")
    assert not Endpoint.objects.filter(pk=endpoint.pk).exists()
    verbs = set(
        AuditEvent.objects.filter(verb__startswith="webhook.").values_list("verb", flat=True)
    )
    assert {
        "webhook.paused",
        "webhook.resumed",
        "webhook.secret_rotated",
        "webhook.removed",
    } <= verbs


def test_an_office_registers_for_its_subtree_and_a_preparer_cannot(matrix, client_for):
    office = client_for(matrix.users["p1_head"])
    _register(office, url="https://hooks.p1.example/portal")
    assert Endpoint.objects.get(url__contains="hooks.p1").office == matrix.p1
    preparer = client_for(matrix.users["bank_a"])
    assert preparer.get(reverse("webhook-list")).status_code == 404
    assert "Webhooks" not in preparer.get(reverse("home"), follow=True).content.decode()
    shown = preparer.get(reverse("webhook-detail", args=[matrix.endpoint_bank_a.pk]))
    assert shown.status_code == 200 and "Pause" not in shown.content.decode()
    refused = preparer.post(reverse("webhook-action", args=[matrix.endpoint_bank_a.pk, "pause"]))
    assert refused.status_code == 403
