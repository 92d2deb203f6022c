from django.core.management.base import BaseCommand, CommandError

from portal.models import Institution
from supervision.evaluation import bench as scoring_benchmark
from supervision.evaluation.models import TargetGroup


class Command(BaseCommand):
    help = (
        "Score every institution's evaluation for one year (Q4 against the Q4 before) on the "
        "configured database (after seed_national) and print the time and the number of SQL "
        "queries: first from scratch, then again (nothing changes, nothing is written). "
        "Accepted Q4 returns for the year and the year before are generated first for "
        "institutions that have none, with the year's target groups (large banks, joint-stock "
        "banks, each province's local legal-person banks)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", default="2025", help="the year to evaluate")
        parser.add_argument(
            "--keep",
            action="store_true",
            help="keep the year's existing results instead of scoring from scratch",
        )

    def handle(self, *args, year: str, keep: bool, **options) -> None:
        period = year.strip()
        if not (period.isdigit() and len(period) == 4):
            raise CommandError("--year must be a year such as 2025")
        count = Institution.objects.filter(is_active=True).count()
        if not count:
            raise CommandError("no institutions: run seed_national first")
        written = scoring_benchmark.prepare(period)
        groups = TargetGroup.objects.filter(year=int(period)).count()
        self.stdout.write(
            f"{count} institutions; {written} accepted returns generated; {groups} target groups"
        )
        if not keep:
            forgotten = scoring_benchmark.forget(period)
            self.stdout.write(f"{forgotten} untouched results of {period} removed")
        for label in ("score", "again"):
            self.stdout.write(scoring_benchmark.measure(f"{label} {period}", period).line())
