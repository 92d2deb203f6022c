from portal.loading import INSTITUTION_COLUMNS, apply_institutions, plan_institutions
from portal.management.commands._loader import LoaderCommand, layout_help
from portal.tables import describe


class Command(LoaderCommand):
    help = layout_help(
        "Load or update institutions and their branches from FILE: one row per legal entity "
        "or branch.",
        describe(INSTITUTION_COLUMNS),
        "A branch row names its legal entity in parent_credit_code; the legal entity may be in "
        "the file (on any line) or already loaded. Offices must be loaded first.",
    )

    def handle(self, *args, file: str, dry_run: bool, **options) -> None:
        plan = self.checked(plan_institutions, file)
        if not dry_run:
            apply_institutions(plan)
        prefix = "would load (--dry-run, nothing written) " if dry_run else ""
        for changes, what in ((plan.institutions, "institutions"), (plan.branches, "branches")):
            self.stdout.write(self.style.SUCCESS(prefix + changes.summary(what)))
