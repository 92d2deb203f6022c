"""How the portal's moving parts are doing, for ``manage.py portal_health`` and its operators:
the database, the broker, the workers (do they answer a ping?), beat (when did its outbox
sweep last run?) and the outbox (work the broker has not taken yet). Each check answers in a
few seconds at most, whatever is down."""

import math
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from portal.models import OutboxMessage, Tick

# Beat sweeps the outbox every 30 s (CELERY_BEAT_SCHEDULE); silent this long, it is down.
BEAT_SILENT_AFTER = timedelta(minutes=2)
# Work the broker refused this long ago and still unsent means something needs a look.
OUTBOX_LATE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return Check("database", False, f"{connection.vendor}: {error}".strip())
    return Check("database", True, connection.vendor)


def _where(url: str) -> str:
    """The broker's address without its password."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"


def broker(timeout: float) -> Check:
    from portal.celery import app

    where = _where(app.conf.broker_url)
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=max(1, math.ceil(timeout)))
    except Exception as error:  # whatever the transport raises, the answer is "down"
        return Check("broker", False, f"{where}: {error}")
    return Check("broker", True, where)


def workers(timeout: float) -> Check:
    from portal.celery import app

    try:
        replies = app.control.ping(timeout=timeout) or []
    except Exception as error:  # no broker, no ping
        return Check("workers", False, f"no answer: {error}")
    names = sorted(name for reply in replies for name in reply)
    if not names:
        return Check("workers", False, f"none answered within {timeout:g} s")
    return Check("workers", True, f"{len(names)} answered: {', '.join(names)}")


def beat() -> Check:
    try:
        tick = Tick.objects.filter(name="beat").first()
    except DatabaseError as error:
        return Check("beat", False, f"unknown: {error}")
    if tick is None:
        return Check("beat", False, "has never swept the outbox")
    silent = timezone.now() - tick.at
    detail = f"last tick {int(silent.total_seconds())} s ago ({tick.at:%Y-%m-%d %H:%M:%S %Z})"
    return Check("beat", silent < BEAT_SILENT_AFTER, detail)


def outbox() -> Check:
    try:
        waiting = OutboxMessage.objects.filter(sent_at=None)
        count, oldest = waiting.count(), waiting.order_by("created_at").first()
    except DatabaseError as error:
        return Check("outbox", False, f"unknown: {error}")
    if oldest is None:
        return Check("outbox", True, "nothing waiting")
    age = timezone.now() - oldest.created_at
    detail = f"{count} waiting, the oldest {int(age.total_seconds())} s"
    if oldest.last_error:
        detail += f" (last refusal: {oldest.last_error})"
    return Check("outbox", age < OUTBOX_LATE_AFTER, detail)


def report(timeout: float) -> list[Check]:
    return [database(), broker(timeout), workers(timeout), beat(), outbox()]


def mode() -> str:
    return "Redis" if settings.REDIS_URL else "embedded (filesystem broker)"
