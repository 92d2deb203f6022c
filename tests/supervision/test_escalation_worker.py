"""The sweep on a real worker, killed in the middle: every batch of cases it moved stays moved
with its notifications, the batch it was moving is untouched, and the next sweep finishes the
job without telling anyone twice. The worker moves 8 cases a batch (tests/worker.py)."""

import signal
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


def test_a_worker_killed_mid_sweep_leaves_the_rest_to_the_next_sweep(celery_worker, matrix):
    f.member(Role.REVIEWER, office=matrix.city1)
    cases = [
        raising.escalation_raise(
            f.cause(
                matrix.bank_a,
                branch=f.BranchFactory(institution=matrix.bank_a, office=matrix.county_a),
            )
        ).pk
        for _ in range(CASES)
    ]
    # Overdue, unlike the matrix's own cases.
    Case.objects.filter(pk__in=cases).update(deadline=timezone.now() - timedelta(hours=1))
    told_before = _told(cases)
    moved = Case.objects.filter(pk__in=cases, office=matrix.city1)

    sweep_escalations.delay()
    celery_worker.wait_until(moved.exists, what="the sweep to move a first case")
    celery_worker.process.send_signal(signal.SIGKILL)
    celery_worker.process.wait(15)

    moved_by_the_killed = set(moved.values_list("pk", flat=True))
    assert 0 < len(moved_by_the_killed) < CASES, "the worker was to be killed mid-sweep"
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
