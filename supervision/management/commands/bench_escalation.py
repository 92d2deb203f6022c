import time
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from portal.models import Branch
from supervision.causes import Cause
from supervision.escalation import climbing
from supervision.escalation import services as escalation
from supervision.escalation.models import Case, CauseKind


class Rollback(Exception):
    """Leaves the database as it was: the benchmark's cases are never committed."""


class Command(BaseCommand):
    help = (
        "Time escalation on the configured database (after seed_national): raise one case per "
        "branch for N branches, then sweep them all one level up as beat would, and a second "
        "sweep that finds nothing to do. Everything is rolled back at the end."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cases", type=int, default=2000, help="cases to raise and move")

    def handle(self, *args, cases: int, **opts) -> None:
        if cases < 1:
            raise CommandError("--cases must be at least 1")
        branches = list(
            Branch.objects.filter(office__depth__gt=1, escalation_cases=None)
            .select_related("institution")
            .order_by("pk")[:cases]
        )
        if len(branches) < cases:
            raise CommandError(
                f"only {len(branches)} branches without a case: run seed_national first "
                "or ask for fewer --cases"
            )
        self.stdout.write(f"database: {connection.vendor}, {cases} cases")
        try:
            with transaction.atomic():
                self._run(branches)
                raise Rollback
        except Rollback:
            pass

    def _run(self, branches: list[Branch]) -> None:
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
        self._timed("raise", len(found), lambda: escalation.raise_all(found, now=now))
        Case.objects.filter(causes__key__startswith="bench:").update(deadline=now)
        later = now + timedelta(minutes=1)
        self._timed("sweep, all overdue", len(found), lambda: climbing.climb_overdue(later))
        self._timed("sweep, nothing due", len(found), lambda: climbing.climb_overdue(later))

    def _timed(self, label: str, count: int, run) -> None:
        queries = 0

        def counted(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            started = time.perf_counter()
            done = run()
            seconds = time.perf_counter() - started
        rate = f"{done / seconds:,.0f} cases/s" if done else "-"
        self.stdout.write(
            f"{label}: {done} of {count} in {seconds:.2f} s ({rate}), "
            f"{queries / count:.1f} queries per case"
        )
