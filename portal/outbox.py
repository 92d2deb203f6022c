"""Work for a worker, sent only once the change that asks for it has committed, and never lost.

``send_on_commit(task, *args)`` writes the intent, an ``OutboxMessage`` row, in the caller's
transaction: it commits or rolls back with the change. On commit, ``relay`` publishes it to
the broker; if the broker refuses (Redis down, a network blip), the row stays unsent and the
action that asked for it still succeeds: the user sees the saved change, not a 500. Beat's
``sweep`` (``portal.tasks.relay_outbox``) publishes what is still unsent once the broker is
back. A broker outage delays work; it never loses it.

A row is published at least once: a relay that dies between publishing and marking it sent
leaves it to the sweep, which publishes it again. Every task is idempotent for that reason
(filings and jobs are claimed under a lock, emails are marked sent).
"""

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import ParamSpec, TypeVar

from celery import Task
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from portal.models import OutboxMessage, Tick

log = logging.getLogger(__name__)
_P = ParamSpec("_P")
_R = TypeVar("_R")

# How long one relay holds a row while it publishes it; longer than any publish can take.
CLAIM_SECONDS = 60
# What one sweep sends at most (the rest on the next); sent rows are kept this long.
SWEEP_BATCH = 500
KEEP_SENT = timedelta(days=7)


def send_on_commit(task: Task[_P, _R], /, *args: _P.args, **kwargs: _P.kwargs) -> OutboxMessage:
    """Queue ``task(*args, **kwargs)``: a row now, in the current transaction; the broker once
    it commits. Arguments must be JSON (ids, codes, periods), as the task's message would be."""
    message = OutboxMessage.objects.create(task=task.name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: relay([message.pk]))
    return message


def relay(ids: Iterable[int]) -> int:
    """Publish each unsent message among ``ids`` that no other relay holds; returns how many
    went. Never raises for the broker: what it refused stays for the sweep."""
    sent = 0
    for pk in ids:
        message = _claim(pk)
        if message is not None and _publish(message):
            sent += 1
    return sent


def sweep() -> int:
    """Publish every message still unsent (the broker refused it, or its relay died), oldest
    first; forget messages sent long ago. Beat runs this, so it also records beat's tick."""
    now = timezone.now()
    Tick.objects.update_or_create(name="beat", defaults={"at": now})
    OutboxMessage.objects.filter(sent_at__lt=now - KEEP_SENT).delete()
    pending = (
        OutboxMessage.objects.filter(sent_at=None)
        .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return relay(list(pending))


def unsent() -> int:
    return OutboxMessage.objects.filter(sent_at=None).count()


def _claim(pk: int) -> OutboxMessage | None:
    now = timezone.now()
    taken = (
        OutboxMessage.objects.filter(pk=pk, sent_at=None)
        .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
        .update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    )
    return OutboxMessage.objects.get(pk=pk) if taken else None


def _publish(message: OutboxMessage) -> bool:
    from portal.celery import app

    mine = OutboxMessage.objects.filter(pk=message.pk)
    try:
        task = app.tasks.get(message.task)
        if task is not None:
            task.delay(*message.args, **message.kwargs)
        else:  # a task this process does not import; the worker knows it by name
            app.send_task(message.task, args=message.args, kwargs=message.kwargs)
    except Exception as refused:  # any failure to publish leaves the row for the sweep
        log.warning(
            "outbox: %s (message %s) not sent, will retry: %s", message, message.pk, refused
        )
        mine.update(claimed_until=None, attempts=F("attempts") + 1, last_error=str(refused)[:500])
        return False
    mine.update(sent_at=timezone.now(), claimed_until=None, attempts=F("attempts") + 1)
    return True
