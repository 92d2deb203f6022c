"""Escalation's benchmark (``manage.py bench_escalation``): raise one case per branch for N
branches, sweep them all one level up as beat would, then sweep again with nothing due; each
step printed with its time and queries per case. Everything is rolled back at the end."""

import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from portal.models import Branch
from supervision.causes import Cause
from supervision.escalation import climbing
from supervision.escalation import services as escalation
from supervision.escalation.models import Case, CauseKind


class Rollback(Exception):
    """Leaves the database as it was: the benchmark's cases are never committed."""


def branches_without_cases(count: int) -> list[Branch]:
    """Up to ``count`` branches below the General Bureau that have no case yet."""
    return list(
        Branch.objects.filter(office__depth__gt=1, escalation_cases=None)
        .select_related("institution")
        .order_by("pk")[:count]
    )


def run(branches: list[Branch], write: Callable[[str], None]) -> None:
    """Time raising, climbing and an idle sweep over one case per branch, then roll back."""
    try:
        with transaction.atomic():
            _steps(branches, write)
            raise Rollback
    except Rollback:
        pass


def _steps(branches: list[Branch], write: Callable[[str], None]) -> None:
    now = timezone.now()
    found = [
        Cause(
            kind=CauseKind.MISREPORTED_DATA,
            key=f"bench:{branch.pk}",
            institution_id=branch.institution_id,
            branch_id=branch.pk,
            office_id=branch.office_id,
            measure=Decimal(1),
            summary="benchmark",
            evidence_url="",
            occurred_on=now.date(),
        )
        for branch in branches
    ]
    _timed(write, "raise", len(found), lambda: escalation.raise_all(found, now=now))
    Case.objects.filter(causes__key__startswith="bench:").update(deadline=now)
    later = now + timedelta(minutes=1)
    _timed(write, "sweep, all overdue", len(found), lambda: climbing.climb_overdue(later))
    _timed(write, "sweep, nothing due", len(found), lambda: climbing.climb_overdue(later))


def _timed(write: Callable[[str], None], label: str, count: int, step: Callable[[], int]) -> None:
    queries = 0

    def counted(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        started = time.perf_counter()
        done = step()
        seconds = time.perf_counter() - started
    rate = f"{done / seconds:,.0f} cases/s" if done else "-"
    write(
        f"{label}: {done} of {count} in {seconds:.2f} s ({rate}), "
        f"{queries / count:.1f} queries per case"
    )
