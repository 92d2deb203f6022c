from django.core.management.base import BaseCommand, CommandError

from portal.models import Institution
from reporting.periods import is_quarter
from supervision.evaluation import bench as scoring_benchmark


class Command(BaseCommand):
    help = (
        "Score every institution for one period on the configured database (after "
        "seed_national) and print the time and the number of SQL queries: first from scratch, "
        "then again (nothing changes, nothing is written). Accepted returns for the period and a "
        "year before are generated first for institutions that have none."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period", default="2025Q3", help="the quarter to score")
        parser.add_argument(
            "--keep",
            action="store_true",
            help="keep the period's existing results instead of scoring from scratch",
        )

    def handle(self, *args, period: str, keep: bool, **options) -> None:
        period = period.strip().upper()
        if not is_quarter(period):
            raise CommandError("--period must be a quarter such as 2025Q3")
        count = Institution.objects.filter(is_active=True).count()
        if not count:
            raise CommandError("no institutions: run seed_national first")
        written = scoring_benchmark.prepare(period)
        self.stdout.write(f"{count} institutions; {written} accepted returns generated")
        if not keep:
            forgotten = scoring_benchmark.forget(period)
            self.stdout.write(f"{forgotten} untouched results of {period} removed")
        for label in ("score", "again"):
            self.stdout.write(scoring_benchmark.measure(f"{label} {period}", period).line())
