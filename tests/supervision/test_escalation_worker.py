"""The sweep on a real worker, killed in the middle: every batch of cases it moved stays moved
with its notifications, the batch it was moving is untouched, and the next sweep finishes the
job without telling anyone twice. The worker moves 8 cases a batch (tests/worker.py)."""

import contextlib
import signal
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from portal.models import Notification, Role
from supervision.escalation import raising
from supervision.escalation.models import Case, EventVerb
from supervision.escalation.tasks import sweep_escalations
from tests import factories as f

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

CASES = 80


def _told(cases) -> dict[int, int]:
    """Notifications about each case, by case id."""
    counts = (
        Notification.objects.filter(
            object_type="supervision.Case", object_id__in=[str(c) for c in cases]
        )
        .values("object_id")
        .annotate(n=Count("pk"))
    )
    told = dict.fromkeys(cases, 0)
    told.update({int(row["object_id"]): row["n"] for row in counts})
    return told


def _climbs(cases) -> dict[int, int]:
    return dict(
        Case.objects.filter(pk__in=cases)
        .annotate(n=Count("events", filter=Q(events__verb=EventVerb.CLIMBED)))
        .values_list("pk", "n")
    )


@contextlib.contextmanager
def _held(institution) -> Iterator[Callable[[], bool]]:
    """Hold ``institution``'s row from another connection: a batch that writes an audit event
    for it waits at its commit (the event's deferred foreign-key check), with its cases moved
    but not committed. Yields a check that some transaction waits there. On leaving, the
    waiting transaction is ended (PostgreSQL would notice its dead client only on its next
    write) and the row let go."""
    holder = connection.get_new_connection(connection.get_connection_params())
    try:
        with holder.cursor() as cursor:  # psycopg opens the transaction, rolled back below
            cursor.execute(
                "SELECT 1 FROM portal_institution WHERE id = %s FOR UPDATE", [institution.pk]
            )

        def waiting() -> bool:
            with connection.cursor() as cursor:
                cursor.execute(_WAITING)
                return bool(cursor.fetchall())

        yield waiting
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT pg_terminate_backend(pid) FROM ({_WAITING}) w")
    finally:
        holder.rollback()
        holder.close()


# The other sessions of this database waiting for a lock: the worker's blocked batch.
_WAITING = """SELECT pid FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"""


def test_a_worker_killed_mid_sweep_leaves_the_rest_to_the_next_sweep(celery_worker, matrix):
    f.member(Role.REVIEWER, office=matrix.city1)
    # The first half are bank_a's cases, the second half bank_b's (its branches in the same
    # county, so the same people are told): the sweep takes them in that order, 8 a batch.
    cases = [
        raising.escalation_raise(
            f.cause(bank, branch=f.BranchFactory(institution=bank, office=matrix.county_a))
        ).pk
        for bank in (matrix.bank_a, matrix.bank_b)
        for _ in range(CASES // 2)
    ]
    # Overdue, unlike the matrix's own cases.
    Case.objects.filter(pk__in=cases).update(deadline=timezone.now() - timedelta(hours=1))
    told_before = _told(cases)
    moved = Case.objects.filter(pk__in=cases, office=matrix.city1)

    # The worker is killed while a batch of bank_b's cases waits at its commit: a sweep is a
    # few milliseconds a batch, too fast to be caught mid-way by timing alone.
    with _held(matrix.bank_b) as waiting:
        sweep_escalations.delay()
        celery_worker.wait_until(waiting, what="the sweep to reach bank_b's cases")
        celery_worker.process.send_signal(signal.SIGKILL)
        celery_worker.process.wait(15)

    moved_by_the_killed = set(moved.values_list("pk", flat=True))
    # bank_a's batches committed before the kill; the batch it was moving left nothing.
    assert moved_by_the_killed == set(cases[: CASES // 2]), "the worker was to be killed mid-sweep"
    told, climbs = _told(cases), _climbs(cases)
    for pk in cases:
        # Each case moved with its notifications (the county's viewer, the city's reviewer),
        # or not at all: a transaction cut off by the kill left nothing behind.
        expected = 1 if pk in moved_by_the_killed else 0
        assert climbs[pk] == expected
        assert told[pk] - told_before[pk] == 2 * expected

    celery_worker.start()  # the next worker, and beat's next sweep
    sweep_escalations.delay()
    celery_worker.wait_until(
        lambda: moved.count() == CASES, what="the next sweep to move the other cases"
    )
    told, climbs = _told(cases), _climbs(cases)
    assert set(climbs.values()) == {1}
    assert {pk: told[pk] - told_before[pk] for pk in cases} == dict.fromkeys(cases, 2)
    assert set(Case.objects.filter(pk__in=cases).values_list("escalations", flat=True)) == {1}
