from django.core.management.base import BaseCommand, CommandError

from supervision.screening import bench as screening_benchmark


class Command(BaseCommand):
    help = (
        "Benchmark screening: a task of many enterprises over a province's counties is read, "
        "created, delegated to every county, assigned to the banks there, answered and rolled "
        "up, and its pages rendered; prints the time of each step."
    )

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=200_000)
        parser.add_argument(
            "--province",
            default="350000",
            help="a provincial bureau's code (default: the demo's Fujian, loaded if missing)",
        )
        parser.add_argument("--keep", action="store_true", help="keep the bench task afterwards")

    def handle(self, *args, **options):
        try:
            timings = screening_benchmark.run(
                options["enterprises"], options["province"], options["keep"], self.stdout.write
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        width = max(len(label) for label, _ in timings.lines)
        for label, seconds in timings.lines:
            self.stdout.write(f"  {label:<{width}}  {seconds:8.3f} s")
