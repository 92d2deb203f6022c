"""Callbacks: a bank's or an office's system registers an endpoint and hears of the events it
chose, signed, retried until its receiver is up, and paused (with its owner told) when it keeps
failing. The receiver is a real HTTP server on loopback."""

import json
import shutil
import socket
import ssl
import subprocess
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from portal.models import Notification, Role
from portal.webhooks import delivery, signing
from portal.webhooks.models import Delivery, DeliveryStatus, Endpoint
from tests import factories as f

pytestmark = pytest.mark.django_db

ENDPOINTS = "/api/v1/webhook-endpoints/"


class Receiver:
    """A loopback HTTP receiver, started when the test says it is up; it records each POST."""

    def __init__(self) -> None:
        with socket.socket() as probe:  # a free port, left closed until start()
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.received: list[tuple[dict, bytes]] = []
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/portal"

    def start(self) -> None:
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), body))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.PORTAL_WEBHOOK_ALLOW_PRIVATE = True  # loopback; production takes public HTTPS only
    settings.PORTAL_WEBHOOK_RETRY_MINUTES = [1, 5, 30]
    found = Receiver()
    yield found
    found.stop()


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def approver(matrix):
    return f.member(Role.APPROVER, institution=matrix.bank_a)


def _register(user, url: str, events: list[str], **place) -> dict:
    response = _client(user).post(ENDPOINTS, {"url": url, "events": events, **place}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _accept(matrix, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks():  # the delivery task is queued, run below
        accepted = _client(matrix.users["p1_head"]).post(
            f"/api/v1/filings/{matrix.filing_a.pk}/accept/", {}, format="json"
        )
    assert accepted.status_code == 200, accepted.content


def test_a_receiver_down_twice_gets_the_event_once_up_signed_and_replays_show(
    matrix, approver, receiver, django_capture_on_commit_callbacks
):
    registered = _register(approver, receiver.url, ["filing.accepted"])
    _accept(matrix, django_capture_on_commit_callbacks)
    (queued,) = Delivery.objects.filter(endpoint_id=registered["id"])
    start = timezone.now()

    assert delivery.deliver(queued.pk) == DeliveryStatus.PENDING  # down: connection refused
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        assert delivery.retry_due() == [queued.pk]
        assert delivery.deliver(queued.pk) == DeliveryStatus.PENDING  # still down
        assert delivery.retry_due() == []  # the next try waits five minutes
    receiver.start()
    with time_machine.travel(start + timedelta(minutes=8), tick=False):
        assert delivery.retry_due() == [queued.pk]
        assert delivery.deliver(queued.pk) == DeliveryStatus.DELIVERED
        now = timezone.now().timestamp()

    ((headers, body),) = receiver.received  # once, however many tries it took
    event = json.loads(body)
    assert event["type"] == "filing.accepted" and headers["Portal-Event-Id"] == event["id"]
    assert event["data"]["object"]["id"] == str(matrix.filing_a.pk)
    assert event["data"]["object"]["url"].endswith(f"/api/v1/filings/{matrix.filing_a.pk}/")
    secret, signed = registered["secret"], headers["Portal-Signature"]
    assert signing.verify(secret, signed, body, now=now)
    # A captured delivery sent again later is refused by its timestamp; a tampered one by its
    # signature; and within the tolerance its event id (the same on every attempt) repeats.
    assert not signing.verify(secret, signed, body, now=now + signing.TOLERANCE_SECONDS + 1)
    assert not signing.verify(secret, signed, body.replace(b"accepted", b"returned"), now=now)
    assert not signing.verify("whsec_other", signed, body, now=now)

    log = _client(approver).get(f"{ENDPOINTS}{registered['id']}/deliveries/").json()
    attempts = log["results"][0]["log"]
    assert [a["status_code"] for a in attempts] == [None, None, 200]
    assert "Connection" in attempts[0]["error"] or "refused" in attempts[0]["error"].lower()


def test_an_endpoint_that_keeps_failing_is_paused_its_owner_told_and_resumed(
    matrix, approver, receiver, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_WEBHOOK_PAUSE_AFTER = 2
    registered = _register(approver, receiver.url, ["filing.accepted", "filing.returned"])
    _accept(matrix, django_capture_on_commit_callbacks)
    (first,) = Delivery.objects.filter(endpoint_id=registered["id"])
    start = timezone.now()
    delivery.deliver(first.pk)
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        delivery.deliver(first.pk)
    endpoint = Endpoint.objects.get(pk=registered["id"])
    assert endpoint.paused_at is not None
    told = Notification.objects.get(recipient=approver)
    assert receiver.url in told.text
    assert told.url == f"/webhooks/{endpoint.pk}/"  # the page with the Resume button
    with time_machine.travel(start + timedelta(days=1), tick=False):
        assert delivery.retry_due() == []  # paused: nothing goes out
        receiver.start()
        with django_capture_on_commit_callbacks() as queued:
            resumed = _client(approver).post(f"{ENDPOINTS}{endpoint.pk}/resume/")
        assert resumed.status_code == 200 and resumed.json()["paused_at"] is None
        assert len(queued) == 1
        assert delivery.deliver(first.pk) == DeliveryStatus.DELIVERED
    assert len(receiver.received) == 1


def test_an_office_hears_its_subtree_and_a_bank_only_its_own(
    matrix, approver, receiver, django_capture_on_commit_callbacks
):
    office = _register(matrix.users["p1_head"], receiver.url, ["filing.accepted"])
    other_office = _register(matrix.users["p2_head"], receiver.url, ["filing.accepted"])
    bank_b = _register(matrix.users["bank_b"], receiver.url, ["filing.accepted"])
    mine = _register(approver, receiver.url, ["filing.returned"])  # not the event it chose
    _accept(matrix, django_capture_on_commit_callbacks)
    heard = set(Delivery.objects.values_list("endpoint_id", flat=True))
    assert office["id"] in heard
    assert heard.isdisjoint({other_office["id"], bank_b["id"], mine["id"]})


def test_who_may_register_what(matrix, approver, settings, dns):
    settings.PORTAL_WEBHOOK_ALLOW_PRIVATE = False
    dns[0]["bank-a.example"] = [["93.184.215.14"]]
    preparer = _client(matrix.users["bank_a"])
    hook = {"url": "https://bank-a.example/hooks", "events": ["filing.accepted"]}
    assert preparer.post(ENDPOINTS, hook, format="json").status_code == 403
    plain = {**hook, "url": "http://bank-a.example/hooks"}
    assert _client(approver).post(ENDPOINTS, plain, format="json").status_code == 400
    unknown = {**hook, "events": ["filing.eaten"]}
    assert _client(approver).post(ENDPOINTS, unknown, format="json").status_code == 400
    made = _client(approver).post(ENDPOINTS, hook, format="json")
    assert made.status_code == 201 and made.json()["secret"].startswith("whsec_")
    shown = _client(approver).get(f"{ENDPOINTS}{made.json()['id']}/").json()
    assert "secret" not in shown  # shown once, when registered
    assert _client(matrix.users["bank_b"]).get(f"{ENDPOINTS}{shown['id']}/").status_code == 404


def test_the_portal_calls_no_private_or_plain_address_in_production(settings):
    settings.PORTAL_WEBHOOK_ALLOW_PRIVATE = False
    assert delivery.target_refused("http://example.com/hook")
    assert delivery.target_refused("https://127.0.0.1/hook")
    assert delivery.target_refused("https://10.0.0.8/hook")


def test_requests_opened_by_the_calendar_or_one_by_one_are_events_for_their_bank(
    matrix, approver, receiver
):
    from datetime import date

    from reporting import schedule
    from tests.reporting.returns import open_request

    hook = _register(approver, receiver.url, ["request.opened"])
    other = _register(matrix.users["bank_b"], receiver.url, ["filing.accepted"])
    schedule.open_periodic_requests(date(2025, 7, 2))
    one = open_request(matrix.bank_a, period="2025Q4")
    opened = Delivery.objects.filter(endpoint_id=hook["id"], event_type="request.opened")
    ids = {d.payload["data"]["object"]["id"] for d in opened}
    assert str(one.pk) in ids and len(ids) >= 2  # the quarter's, and the one opened alone
    assert not Delivery.objects.filter(endpoint_id=other["id"]).exists()
    assert {d.payload["data"]["institution"] for d in opened} == {matrix.bank_a.pk}


def test_a_complaint_filed_and_then_due_soon_are_events_for_its_bank(matrix, approver, receiver):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from supervision.complaints import deadlines
    from tests.supervision.test_complaints_lifecycle import file_for

    beijing = ZoneInfo("Asia/Shanghai")
    hook = _register(approver, receiver.url, ["complaint.received", "complaint.due"])
    with time_machine.travel(datetime(2026, 3, 6, 9, tzinfo=beijing)):
        complaint = file_for(matrix)  # due 21 March
    with time_machine.travel(datetime(2026, 3, 18, 9, tzinfo=beijing)):
        assert deadlines.remind_due_soon() == 1
    sent = Delivery.objects.filter(endpoint_id=hook["id"]).order_by("id")
    assert [d.event_type for d in sent] == ["complaint.received", "complaint.due"]
    assert {d.payload["data"]["object"]["id"] for d in sent} == {str(complaint.pk)}
    assert sent[1].payload["data"]["details"] == {"due_on": "2026-03-21"}


@pytest.fixture
def dns(monkeypatch):
    """The portal's one DNS question, answered from a script: each name's answers in turn."""
    answers: dict[str, list[list[str]]] = {}
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]

    monkeypatch.setattr(delivery, "resolve", resolve)
    return answers, asked


def test_a_name_that_turns_private_after_registration_is_never_connected_to(
    matrix, approver, settings, dns, django_capture_on_commit_callbacks
):
    settings.PORTAL_WEBHOOK_ALLOW_PRIVATE = False
    answers, asked = dns
    with socket.socket() as listener:  # whatever connects to loopback is seen here
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.5)
        port = listener.getsockname()[1]
        # Public when the bank registers it, loopback when the portal delivers (DNS rebinding).
        answers["hooks.bank-a.example"] = [["93.184.215.14"], ["127.0.0.1"]]
        url = f"https://hooks.bank-a.example:{port}/portal"
        registered = _register(approver, url, ["filing.accepted"])
        _accept(matrix, django_capture_on_commit_callbacks)
        queued = Delivery.objects.get(endpoint_id=registered["id"])
        assert delivery.deliver(queued.pk) == DeliveryStatus.PENDING
        with pytest.raises(TimeoutError):
            listener.accept()
    assert "not a public address" in queued.log.get().error
    assert asked == ["hooks.bank-a.example", "hooks.bank-a.example"]  # once each time


def test_a_delivery_connects_to_the_address_it_vetted_and_names_the_host(
    matrix, approver, receiver, dns, django_capture_on_commit_callbacks
):
    answers, asked = dns
    answers["hooks.bank-a.example"] = [["127.0.0.1"]]
    url = f"http://hooks.bank-a.example:{receiver.port}/hooks/portal"
    registered = _register(approver, url, ["filing.accepted"])
    _accept(matrix, django_capture_on_commit_callbacks)
    receiver.start()
    queued = Delivery.objects.get(endpoint_id=registered["id"])
    assert delivery.deliver(queued.pk) == DeliveryStatus.DELIVERED
    ((headers, _body),) = receiver.received
    assert headers["Host"] == f"hooks.bank-a.example:{receiver.port}"
    # Resolved when registered, and once by the delivery: for the connection itself.
    assert asked == ["hooks.bank-a.example", "hooks.bank-a.example"]


def test_registration_refuses_an_address_the_portal_would_not_call(approver, settings, dns):
    settings.PORTAL_WEBHOOK_ALLOW_PRIVATE = False
    answers, _asked = dns
    answers["intranet.bank-a.example"] = [["10.1.2.3"]]
    hook = {"url": "https://intranet.bank-a.example/hooks", "events": ["filing.accepted"]}
    refused = _client(approver).post(ENDPOINTS, hook, format="json")
    assert refused.status_code == 400
    assert "not a public address" in refused.json()["non_field_errors"][0]


def _certificate(folder, host: str) -> tuple[str, str]:
    """A self-signed certificate for ``host`` (its file, its key's file)."""
    cert, key = str(folder / f"{host}.pem"), str(folder / f"{host}.key")
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", key, "-out", cert, "-subj", f"/CN={host}"),
            *("-addext", f"subjectAltName=DNS:{host}"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.skipif(not shutil.which("openssl"), reason="makes its certificate with openssl")
def test_over_tls_the_pinned_connection_still_names_and_checks_the_host(
    matrix, approver, receiver, dns, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    """Connected to the vetted address, the TLS handshake still asks for the registered host
    (SNI) and checks its certificate: one made for another name is a failed attempt."""
    host = "hooks.bank-a.example"
    cert, key = _certificate(tmp_path, host)
    impostor, _key = _certificate(tmp_path, "other.example")
    trusted = ssl.create_default_context(cafile=cert)
    trusted.load_verify_locations(cafile=impostor)
    monkeypatch.setattr(delivery.ssl, "create_default_context", lambda: trusted)
    asked_for: list[str | None] = []
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    server_tls.sni_callback = lambda sock, name, ctx: asked_for.append(name)
    receiver.start()
    assert receiver.server is not None
    receiver.server.socket = server_tls.wrap_socket(receiver.server.socket, server_side=True)
    dns[0][host] = [["127.0.0.1"]]
    registered = _register(approver, f"https://{host}:{receiver.port}/hooks", ["filing.accepted"])
    _accept(matrix, django_capture_on_commit_callbacks)
    queued = Delivery.objects.get(endpoint_id=registered["id"])
    assert delivery.deliver(queued.pk) == DeliveryStatus.DELIVERED
    assert asked_for == [host] and receiver.received[0][0]["Host"] == f"{host}:{receiver.port}"

    server_tls.load_cert_chain(impostor, _key)  # the address now shows another name's certificate
    Delivery.objects.filter(pk=queued.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now()
    )
    assert delivery.deliver(queued.pk) == DeliveryStatus.PENDING
    assert "certificate" in queued.log.last().error.lower()
