import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal.models import Branch, Office
from reporting import periods
from supervision.complaints import bench as complaints_bench
from supervision.publication import bench


class Command(BaseCommand):
    help = (
        "Time the public pages (after seed_national): adds a year of synthetic complaints over "
        "the seed's branches, builds the last four quarters' public releases as beat does, then "
        "renders every public page and download cold (its release out of the cache) and from "
        "the cache, printing the times. The synthetic complaints are removed at the end."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--complaints", type=int, default=50000, help="complaints in the year")
        parser.add_argument("--quarter", help="the year's last quarter (default: the last full)")
        parser.add_argument("--runs", type=int, default=5, help="cached renders per page")

    def handle(self, *args, complaints: int, quarter: str | None, runs: int, **opts) -> None:
        if complaints < 1 or runs < 1:
            raise CommandError("--complaints and --runs must be at least 1")
        if not Branch.objects.exists():
            raise CommandError("no branches: run seed_national first")
        last = quarter or bench.last_full_quarter()
        if not periods.is_quarter(last):
            raise CommandError(f"--quarter: not a quarter: {last}")
        quarters = bench.year_quarters(last)
        first = periods.quarter_start(quarters[0])
        days = (periods.quarter_end(last) - first).days + 1
        started = time.perf_counter()
        try:
            added = complaints_bench.seed_year(complaints, first, days)
            load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
            self.stdout.write(
                f"database: {connection.vendor}, {Office.objects.count()} offices, "
                f"{Branch.objects.count()} branches; {added} complaints over "
                f"{quarters[0]}..{last} added in {time.perf_counter() - started:.1f} s; "
                f"machine load average {load} on {os.cpu_count()} cores"
            )
            for built, seconds in bench.build(quarters):
                self.stdout.write(f"release {built} built in {seconds:.2f} s (beat, once a day)")
            for timing in bench.measure(quarters, runs):
                self.stdout.write(timing.line())
        finally:
            removed = complaints_bench.remove()
            self.stdout.write(f"removed the {removed} synthetic complaints")
