from django.core.management.base import BaseCommand, CommandError

from supervision.screening import bench as screening_benchmark
from supervision.screening import bench_national as national


class Command(BaseCommand):
    help = (
        "Benchmark screening: a task of many enterprises over a province's counties is read, "
        "created, delegated to every county, assigned to the banks there, answered and rolled "
        "up, and its pages rendered; prints the time of each step."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enterprises", type=int, help="how many (default 200,000; 5,000,000 national)"
        )
        parser.add_argument(
            "--province",
            default="350000",
            help="a provincial bureau's code (default: the demo's Fujian, loaded if missing)",
        )
        parser.add_argument("--keep", action="store_true", help="keep the bench task afterwards")
        parser.add_argument(
            "--national",
            action="store_true",
            help=(
                "a task of the General Bureau over every county of every province (run "
                "seed_national first), passed down by the worker's job and rolled up at the "
                "General Bureau; --enterprises defaults to 5,000,000 here"
            ),
        )

    def handle(self, *args, **options):
        try:
            if options["national"]:
                rows = options["enterprises"] or 5_000_000
                timings = national.run(rows, options["keep"], self.stdout.write)
            else:
                rows = options["enterprises"] or 200_000
                timings = screening_benchmark.run(
                    rows, options["province"], options["keep"], self.stdout.write
                )
        except ValueError as error:
            raise CommandError(str(error)) from error
        width = max(len(label) for label, _ in timings.lines)
        for label, seconds in timings.lines:
            self.stdout.write(f"  {label:<{width}}  {seconds:8.3f} s")
