from django.core.management.base import BaseCommand
from django.db import connection

from portal import floors
from reporting import benchmark
from reporting.specs import codes, get_spec


class Command(BaseCommand):
    help = (
        "Benchmark the ingest pipeline (parse, validate, store) on a generated return in a "
        "fresh process, and the naive way (openpyxl full load, a save per row) for comparison."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1_000_000)
        parser.add_argument("--spec", default="SCREENING-RESULT", choices=codes())
        parser.add_argument(
            "--naive-rows", type=int, default=100_000, help="rows for the naive run (0 to skip it)"
        )

    def handle(self, *args, **options):
        spec = get_spec(options["spec"])
        vendor = connection.vendor
        target = benchmark.bench_target(spec)
        path = benchmark.bench_file(target, options["rows"])
        ours = benchmark.measure_pipeline(benchmark.bench_filing(spec, path))
        floor = benchmark.measure_floor(spec, path)
        label = f"ingest {spec.ident} {ours.rows:,} rows on {vendor}"
        self.stdout.write(floors.line(label, ours.seconds, floor))
        self.stdout.write(
            f"  {ours.rows_per_second:,.0f} rows/s, worker peak RSS {ours.peak_rss_mib:,.0f} MiB, "
            f"status {ours.status}"
        )
        small = benchmark.measure_latency()
        self.stdout.write(
            f"report of a {small.rows}-row quarterly return with a real worker: "
            f"{small.seconds:.2f} s from upload to stored report (status {small.status})"
        )
        if not options["naive_rows"]:
            return
        naive_path = benchmark.bench_file(target, options["naive_rows"])
        naive = benchmark.measure_naive(spec, naive_path, benchmark.bench_filing(spec, naive_path))
        self.stdout.write(
            f"naive (openpyxl full load, one save per row) {naive.rows:,} rows on {vendor}: "
            f"{naive.seconds:.1f} s ({naive.rows_per_second:,.0f} rows/s)"
        )
        self.stdout.write(
            f"ratio: ours {ours.rows_per_second / naive.rows_per_second:.0f}x the naive rows per "
            "second"
        )
