"""Escalation's benchmark (``manage.py bench_escalation``): raise one case per branch for N
branches, sweep them all one level up as beat would, then sweep again with nothing due; each
step printed with its time, queries per case and floor. More cases than the seed's branches
(20,000) get branches added for the run, copies of the seeded ones, and every office gets a
viewer and a reviewer (the seed has no people), so that each case tells someone as it would in
production. Everything is rolled back at the end."""

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import cycle

from django.db import connection, transaction
from django.utils import timezone

from portal import floors
from portal.models import Branch, Membership, Notification, Office, Role, User
from supervision.causes import Cause
from supervision.escalation import climbing, raising
from supervision.escalation.climbing import overdue_cases
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


def run(count: int, write: Callable[[str], None]) -> None:
    """Time raising, climbing and an idle sweep over one case for each of ``count`` branches
    (adding branches where the seed has too few), then roll back."""
    try:
        with transaction.atomic():
            branches = branches_without_cases(count)
            branches += _copies(branches, count - len(branches))
            write(f"{_staff()} regulators to tell, a viewer and a reviewer at each office")
            _steps(branches, write)
            raise Rollback
    except Rollback:
        pass


def _copies(branches: list[Branch], missing: int) -> list[Branch]:
    """``missing`` more branches, each a copy of one of ``branches`` under a code of its own."""
    return Branch.objects.bulk_create(
        Branch(
            institution_id=branch.institution_id,
            office_id=branch.office_id,
            name_zh=f"{branch.name_zh}（基准{n}）",
            credit_code=f"BENCH{n:013d}",
        )
        for n, branch in zip(range(missing), cycle(branches), strict=False)
    )


def _staff() -> int:
    """A viewer and a reviewer at every office, to be told of the cases."""
    offices = list(Office.objects.values_list("pk", flat=True))
    roles = (Role.VIEWER, Role.REVIEWER)
    users = User.objects.bulk_create(
        User(email=f"bench-{role}-{office}@escalation.invalid", password="!")
        for office in offices
        for role in roles
    )
    Membership.objects.bulk_create(
        Membership(user=user, role=role, office_id=office)
        for user, (office, role) in zip(
            users, ((o, r) for o in offices for r in roles), strict=True
        )
    )
    return len(users)


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
    floor = _raise_floor([b.pk for b in branches], now)
    _timed(write, "raise", len(found), lambda: raising.raise_all(found, now=now), floor)
    Case.objects.filter(causes__key__startswith="bench:").update(deadline=now)
    # Autovacuum would have analyzed the cases raised in a hundred committed batches before the
    # next sweep; in this one transaction the planner would still think the table empty and
    # sort every due case for each batch.
    _analyze(Case)
    later = now + timedelta(minutes=1)
    floor = _sweep_floor(later)
    _timed(write, "sweep, all overdue", len(found), lambda: climbing.climb_overdue(later), floor)
    _timed(write, "sweep, nothing due", len(found), lambda: climbing.climb_overdue(later), floor)


def _analyze(model) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def _raise_floor(branch_ids: list[int], now: datetime) -> floors.Floor:
    """One INSERT ... SELECT of a case row per branch into a scratch table."""
    columns = "institution_id bigint, branch_id bigint, office_id bigint, deadline timestamp"
    with floors.scratch_table("bench_escalation_floor", columns) as table:
        ids = ",".join(str(int(pk)) for pk in branch_ids)

        def work() -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} SELECT institution_id, id, office_id, %s "
                    f"FROM {Branch._meta.db_table} WHERE id IN ({ids})",
                    [now],
                )

        return floors.measure("one INSERT ... SELECT of a case per branch", work)


def _sweep_floor(now: datetime) -> floors.Floor:
    """One UPDATE moving the due cases to their parent offices, then undone."""
    due, params = overdue_cases(now).values("pk").query.sql_with_params()
    case, office = Case._meta.db_table, Office._meta.db_table
    parent = (
        f"SELECT p.id FROM {office} p JOIN {office} o "
        f"ON p.path = substr(o.path, 1, length(o.path) - {Office.steplen}) "
        f"WHERE o.id = {case}.office_id"
    )
    sql = (
        f"UPDATE {case} SET office_id = COALESCE(({parent}), office_id), "
        f"escalations = escalations + 1, deadline = %s WHERE id IN ({due})"
    )
    with floors.undone(), connection.cursor() as cursor:
        return floors.measure(
            "one UPDATE of the due cases", lambda: cursor.execute(sql, [now, *params])
        )


def _timed(
    write: Callable[[str], None],
    label: str,
    count: int,
    step: Callable[[], int],
    floor: floors.Floor,
) -> None:
    queries = 0

    def counted(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    notes = Notification.objects.count()
    with connection.execute_wrapper(counted):
        started = time.perf_counter()
        done = step()
        seconds = time.perf_counter() - started
    notes = Notification.objects.count() - notes
    rate = f"{done / seconds:,.0f} cases/s" if done else "-"
    per_case = f"{queries} queries, {queries / count:.3f} per case"
    said = f"{label}: {done} of {count} cases ({rate}, {per_case}, {notes} notifications)"
    write(floors.line(said, seconds, floor))
