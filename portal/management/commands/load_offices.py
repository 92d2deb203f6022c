from portal.loading import OFFICE_COLUMNS, apply_offices, plan_offices
from portal.management.commands._loader import LoaderCommand, layout_help
from portal.tables import describe


class Command(LoaderCommand):
    help = layout_help(
        "Load or rename offices of the supervision tree from FILE, one row per office.",
        describe(OFFICE_COLUMNS),
        "Rows may come in any order; a parent may be in the file or already loaded. The code "
        "must lie within the parent's division. Existing offices are renamed, never moved.",
    )

    def handle(self, *args, file: str, dry_run: bool, **options) -> None:
        plan = self.checked(plan_offices, file)
        if not dry_run:
            apply_offices(plan)
        prefix = "would load (--dry-run, nothing written) " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + plan.offices.summary("offices")))
