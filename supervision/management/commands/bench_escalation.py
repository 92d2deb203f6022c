from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from supervision.escalation import bench


class Command(BaseCommand):
    help = (
        "Time escalation on the configured database (after seed_national): raise one case per "
        "branch for N branches (adding copies of the seeded branches where there are too few), "
        "then sweep them all one level up as beat would, and a second sweep that finds nothing "
        "to do. Everything is rolled back at the end."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cases", type=int, default=2000, help="cases to raise and move")

    def handle(self, *args, cases: int, **opts) -> None:
        if cases < 1:
            raise CommandError("--cases must be at least 1")
        if not bench.branches_without_cases(1):
            raise CommandError("no branch without a case: run seed_national first")
        self.stdout.write(f"database: {connection.vendor}, {cases} cases")
        bench.run(cases, self.stdout.write)
