"""Sending a delivery, and what its answer does: success ends it; a failure schedules the next
attempt after the backoff of ``PORTAL_WEBHOOK_RETRY_MINUTES`` (then gives up), and an endpoint
failing ``PORTAL_WEBHOOK_PAUSE_AFTER`` times in a row is paused and its owner told.

The timer is a column (``next_attempt_at``) that beat sweeps (``retry_due``), never a delayed
task, so a lost message or a restarted worker delays a delivery by one sweep and loses none.
"""

import http.client
import ipaddress
import json
import socket
import ssl
import time
from datetime import datetime, timedelta
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from portal.models import Role, User
from portal.notifications import institution_staff, notify, office_staff
from portal.webhooks import signing
from portal.webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint

KEPT_RESPONSE = 1024  # bytes of an endpoint's answer kept in the log


def deliver(delivery_id: int, now: datetime | None = None) -> str | None:
    """Attempt delivery ``delivery_id`` if it is pending, due, and its endpoint not paused;
    returns its status afterwards (``None`` if there was nothing to do).

    The row stays locked while the request is out (at most ``PORTAL_WEBHOOK_TIMEOUT_SECONDS``):
    a task delivered twice, or a sweep racing the first task, sends it once.
    """
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .filter(endpoint__paused_at=None)
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        status_code, response, error = _send(delivery)
        Attempt.objects.create(
            delivery=delivery, status_code=status_code, response=response, error=error[:300]
        )
        if status_code is not None and 200 <= status_code < 300:
            _succeeded(delivery, now)
        else:
            _failed(delivery, now)
        return delivery.status


def _succeeded(delivery: Delivery, now: datetime) -> None:
    delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
        DeliveryStatus.DELIVERED,
        now,
        None,
    )
    delivery.save(update_fields=["status", "delivered_at", "next_attempt_at", "attempts"])
    Endpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=0)


def _failed(delivery: Delivery, now: datetime) -> None:
    backoff = settings.PORTAL_WEBHOOK_RETRY_MINUTES
    if delivery.attempts > len(backoff):
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    else:
        delivery.next_attempt_at = now + timedelta(minutes=backoff[delivery.attempts - 1])
    delivery.save(update_fields=["status", "next_attempt_at", "attempts"])
    Endpoint.objects.filter(pk=delivery.endpoint_id).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    endpoint = Endpoint.objects.get(pk=delivery.endpoint_id)
    if endpoint.consecutive_failures >= settings.PORTAL_WEBHOOK_PAUSE_AFTER:
        paused = Endpoint.objects.filter(pk=endpoint.pk, paused_at=None).update(paused_at=now)
        if paused:
            _tell_owner(endpoint)


def _tell_owner(endpoint: Endpoint) -> None:
    people: set[User] = set()
    if endpoint.institution is not None:
        people |= set(
            institution_staff(endpoint.institution).filter(
                memberships__institution=endpoint.institution,
                memberships__role=Role.APPROVER,
            )
        )
    if endpoint.office is not None:
        people |= set(office_staff(endpoint.office, Role.REVIEWER))
    if endpoint.created_by is not None:
        people.add(endpoint.created_by)
    notify(
        people,
        message=gettext_noop(
            "Webhook endpoint %(url)s was paused after %(count)s failed deliveries in a row; "
            "its events wait until it is resumed on its page (or by POST "
            "/api/v1/webhook-endpoints/%(id)s/resume/)."
        ),
        params={"url": endpoint.url, "count": endpoint.consecutive_failures, "id": endpoint.pk},
        url=reverse("webhook-detail", args=[endpoint.pk]),
        target=endpoint,
    )


def _send(delivery: Delivery) -> tuple[int | None, str, str]:
    """POST the event to the address vetted for it; returns (status, the answer's first KiB,
    why nothing answered). A redirect is a failed delivery: following it would send the event
    (and dodge the address check) somewhere the owner did not register."""
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "sme-supervision-portal-webhooks/1",
        "Portal-Event-Id": delivery.event_id,
        "Portal-Event-Type": delivery.event_type,
        "Portal-Delivery-Attempt": str(delivery.attempts),
        signing.HEADER: signing.signature(delivery.endpoint.secret, int(time.time()), body),
    }
    parts = urlsplit(delivery.endpoint.url)
    try:
        connection = _connection(parts, vetted_address(parts))
    except Refused as exc:
        return None, "", str(exc)
    target = parts.path or "/"
    try:
        connection.request(
            "POST", f"{target}?{parts.query}" if parts.query else target, body, headers
        )
        answer = connection.getresponse()
        return answer.status, _text(answer.read(KEPT_RESPONSE)), ""
    # Refused, unreachable, timed out, bad TLS, or a path http.client cannot send.
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return None, "", f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


class Refused(Exception):
    """Why the portal will not call an address."""


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` has: the one DNS question a registration or a delivery asks."""
    found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]).split("%")[0] for info in found]


def vetted_address(parts: SplitResult) -> str:
    """The address the portal connects to for the URL ``parts``, its host resolved once here:
    only HTTPS, and only if every address the host has is public, so that an endpoint cannot
    make the portal call into its own network, neither when it is registered nor later, when
    its name answers otherwise (DNS rebinding: the connection goes to this address, not to the
    name). ``PORTAL_WEBHOOK_ALLOW_PRIVATE`` lifts both for a portal whose receivers are on an
    intranet (and for tests)."""
    private = settings.PORTAL_WEBHOOK_ALLOW_PRIVATE
    if parts.scheme not in ({"http", "https"} if private else {"https"}) or not parts.hostname:
        raise Refused("not an HTTP address" if private else "not an HTTPS address")
    try:
        addresses = resolve(parts.hostname, parts.port or PORTS[parts.scheme])
    except (OSError, ValueError) as exc:  # no such name, or a port out of range
        raise Refused(f"cannot resolve {parts.hostname}: {exc}") from exc
    if not addresses:
        raise Refused(f"cannot resolve {parts.hostname}")
    if not private and not all(ipaddress.ip_address(a).is_global for a in addresses):
        raise Refused(f"{parts.hostname} is not a public address")
    return addresses[0]


def target_refused(url: str) -> str:
    """Why the portal will not call ``url`` (empty if it will), as a delivery would find now."""
    try:
        vetted_address(urlsplit(url))
    except (Refused, ValueError) as exc:
        return str(exc)
    return ""


PORTS = {"http": 80, "https": 443}


class _PinnedHTTP(http.client.HTTPConnection):
    """A connection to the vetted address; the ``Host`` header names the URL's host."""

    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """A TLS connection to the vetted address; SNI, the certificate's check and the ``Host``
    header name the URL's host."""

    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self.tls)
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(raw, server_hostname=self.host)


def _connection(parts: SplitResult, address: str) -> http.client.HTTPConnection:
    pinned = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    assert parts.hostname is not None  # vetted
    return pinned(parts.hostname, parts.port, address, settings.PORTAL_WEBHOOK_TIMEOUT_SECONDS)


def retry_due(now: datetime | None = None) -> list[int]:
    """The pending deliveries now due (endpoints not paused), for beat to queue."""
    now = now or timezone.now()
    due = Delivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__paused_at=None
    ).order_by("next_attempt_at")
    return list(due.values_list("pk", flat=True)[:1000])
