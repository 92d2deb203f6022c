"""Filings whose validation went silent or keeps failing: the heartbeat that says an attempt is
alive, the sweep that re-queues a silent one, and the limit after which the filing ends.

A live attempt writes ``heartbeat_at`` every few seconds (``heartbeat``), whatever phase it is
in, so the sweep never mistakes a long phase for a dead worker. A filing is tried at most
``PORTAL_FILING_MAX_ATTEMPTS`` times, counting every start (a redelivery after a worker died,
a retry after a database error, a re-queue by the sweep): a file that kills its worker every
time, or a stored file that is gone, then ends rejected with S022 ("please upload it again")
and its uploader is told, instead of being re-queued for ever.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from portal import audit
from portal.notifications import notify
from portal.outbox import send_on_commit
from reporting.findings import Example
from reporting.models import PENDING_STATUSES, Filing, FilingStatus, RuleHit
from reporting.rulebook import rule

log = logging.getLogger(__name__)

GAVE_UP = "S022"


@contextmanager
def heartbeat(filing_id: int, attempt: int) -> Iterator[None]:
    """Keep ``attempt``'s heartbeat fresh while the block runs (a thread of its own, with its
    own database connection), at a quarter of the time after which the sweep re-queues."""
    every = max(1.0, settings.PORTAL_STUCK_FILING_SECONDS / 4)
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every):
                try:
                    Filing.objects.filter(pk=filing_id, attempts=attempt).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:  # the database blinked: the next beat reconnects
                    connection.close()
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-filing-{filing_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def over_limit(attempt: int) -> bool:
    return attempt > settings.PORTAL_FILING_MAX_ATTEMPTS


def requeue_stuck(older_than_seconds: int) -> list[int]:
    """Filings whose worker went silent: put them back in the queue, counted and shown; those
    already tried as often as allowed end instead (``give_up``)."""
    from reporting import tasks

    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    stuck = list(
        Filing.objects.filter(status__in=PENDING_STATUSES, heartbeat_at__lt=cutoff).values_list(
            "pk", "attempts"
        )
    )
    for filing_id, attempts in stuck:
        if attempts >= settings.PORTAL_FILING_MAX_ATTEMPTS:
            give_up(filing_id)
            continue
        with transaction.atomic(durable=True):
            updated = Filing.objects.filter(
                pk=filing_id, status__in=PENDING_STATUSES, heartbeat_at__lt=cutoff
            ).update(
                status=FilingStatus.RECEIVED,
                phase="requeued",
                requeued=F("requeued") + 1,
                heartbeat_at=timezone.now(),
            )
            if updated:
                send_on_commit(tasks.validate_filing, filing_id)
    return [filing_id for filing_id, _attempts in stuck]


def give_up(filing_id: int) -> bool:
    """End a filing that could not be checked: rejected with S022, its uploader told."""
    with transaction.atomic(durable=True):
        filing = Filing.objects.select_for_update().get(pk=filing_id)
        if filing.status not in PENDING_STATUSES:
            return False
        RuleHit.objects.filter(filing=filing).delete()
        gave_up = rule(GAVE_UP)
        RuleHit.objects.create(
            filing=filing,
            code=gave_up.code,
            rule_class=gave_up.rule_class,
            severity=gave_up.severity,
            count=1,
            examples=[Example().as_dict()],
        )
        filing.status = FilingStatus.REJECTED
        filing.phase, filing.progress = "failed", 100
        filing.validated_at = timezone.now()
        filing.row_count, filing.error_count, filing.warning_count = 0, 1, 0
        filing.save()
        audit.record(
            None,
            "filing.failed",
            filing,
            {"attempts": filing.attempts, "requeued": filing.requeued},
        )
        notify(
            [filing.uploaded_by],
            message=gettext_noop(
                "The portal could not check %(name)s (%(spec)s, %(period)s): please upload it "
                "again."
            ),
            params={
                "name": filing.original_name,
                "spec": filing.spec_code,
                "period": filing.period,
            },
            url=reverse("filing-detail", kwargs={"pk": filing.pk}),
            target=filing,
        )
    log.warning("filing %s: gave up after %s attempts", filing_id, filing.attempts)
    return True
