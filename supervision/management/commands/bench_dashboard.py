import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal import floors
from portal.models import Institution, Office
from reporting.models import Filing, FilingRow
from supervision.dashboards.bench import bench_quarters, measure, seed_returns, summary_floor
from supervision.dashboards.figures import SPEC_CODE
from supervision.dashboards.lending_rows import record_missing


class Command(BaseCommand):
    help = (
        "Time the dashboard at national scale (after seed_national): adds accepted SME-LOANS "
        "returns of every bank (synthetic rows, one per place it lends) and SME-INSURANCE "
        "returns of every insurer for the last quarters (kept for later runs), then renders "
        "the General Bureau's dashboard, a province's and a county office's, and the General "
        "Bureau's insurance view, printing the median time and the number of SQL queries."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--quarters", type=int, default=4, help="quarters of returns")
        parser.add_argument("--period", help="the last quarter, e.g. 2025Q4 (default: last)")
        parser.add_argument("--runs", type=int, default=5, help="timed renders per page")

    def handle(self, *args, quarters: int, period: str | None, runs: int, **options) -> None:
        if quarters < 1 or runs < 1:
            raise CommandError("--quarters and --runs must be at least 1")
        top = Office.objects.filter(level=1).order_by("path").first()
        if top is None:
            raise CommandError("no offices: run seed_national first")
        try:
            chosen = bench_quarters(quarters, period)
        except ValueError as error:
            raise CommandError(f"--period: {error}") from error
        started = time.perf_counter()
        added = seed_returns(chosen)
        # Returns accepted before the lending summaries existed get theirs, as beat's sweep
        # would give them.
        record_missing()
        if connection.vendor == "postgresql":
            # As autovacuum would soon after a bulk load: otherwise the planner, guessing
            # about tables it has never measured, picks plans no running portal would use.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"returns: {added} added in {time.perf_counter() - started:.1f} s; "
            f"{Filing.objects.filter(spec_code=SPEC_CODE, is_current=True).count()} accepted "
            f"SME-LOANS returns, {FilingRow.objects.count()} stored rows, quarters "
            f"{chosen[0]}..{chosen[-1]}"
        )
        self.stdout.write(
            f"database: {connection.vendor}, {Office.objects.count()} offices, "
            f"{Institution.objects.count()} institutions; median of {runs} renders after one "
            f"warm-up; machine {floors.load_average()}"
        )
        floor = summary_floor(chosen[-1])
        levels = [("General Bureau", top)]
        for level, label in ((2, "province"), (4, "county office")):
            first = (
                Office.objects.filter(level=level, path__startswith=top.path)
                .order_by("path")
                .first()
            )
            if first is not None:
                levels.append((label, first))
        for label, office in levels:
            self.stdout.write(measure(office, chosen[-1], runs, label).line(floor))
        general_bureau = measure(top, chosen[-1], runs, "General Bureau", insurance=True)
        self.stdout.write(general_bureau.line(floor))
