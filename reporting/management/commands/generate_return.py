from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting import generation, synthetic
from reporting.models import ReturnRequest
from reporting.specs import codes


class Command(BaseCommand):
    help = (
        "Write a realistic synthetic return in the spec's template: for a filer and period "
        "(--institution or --request), the counties where it lends, its last year-end's "
        "figures as the start of the year and the enterprises it was assigned, so that the "
        "worker finds nothing wrong; with --defects, exactly the listed defects."
    )

    def add_arguments(self, parser):
        parser.add_argument("spec", nargs="?", choices=codes(), help="(default: the request's)")
        parser.add_argument("--spec-version", help="spec version (default: the period's)")
        filer = parser.add_mutually_exclusive_group()
        filer.add_argument("--institution", help="credit code of the filing institution or branch")
        filer.add_argument("--request", type=int, help="id of the return request filed against")
        parser.add_argument("--period", help="e.g. 2025Q3, with --institution")
        parser.add_argument(
            "--rows", type=int, help="rows (default: one per county where the filer lends, or 20)"
        )
        parser.add_argument(
            "--defects",
            default="",
            help="rule codes to break, one row each, comma-separated "
            f"({', '.join(generation.PLANTINGS)}), e.g. V003,V011",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, **options):
        target = self._target(options)
        rows = options["rows"] or _default_rows(target)
        defects = [c.strip().upper() for c in options["defects"].split(",") if c.strip()]
        try:
            made = generation.generate(target, rows, defects, seed=options["seed"])
        except (synthetic.TooManyRows, generation.CannotPlant) as exc:
            raise CommandError(str(exc)) from exc
        synthetic.write_return(target.spec, made.frame, options["out"])
        who = f" of {target.filer} for {target.period}" if target.filer else ""
        self.stdout.write(f"{options['out']}: {target.spec.ident}{who}, {made.frame.height} rows")
        for defect in made.defects:
            self.stdout.write(
                f"  defect {defect.rule}: row {defect.row} {defect.column}={defect.value!r}"
            )
        if made.found is not None:
            found = ", ".join(f"{code} x{n}" for code, n in sorted(made.found.items()))
            self.stdout.write(f"checked as the worker will check it: {found or 'no issues'}")

    def _target(self, options) -> generation.Target:
        code, version = options["spec"], options["spec_version"]
        try:
            if options["request"]:
                request = ReturnRequest.objects.filter(pk=options["request"]).first()
                if request is None:
                    raise CommandError(f"no return request {options['request']}")
                return generation.for_request(request)
            if not code:
                raise CommandError("name the spec, or give --request")
            if options["institution"]:
                if not options["period"]:
                    raise CommandError("--institution needs --period, e.g. 2025Q3")
                return generation.for_filer(
                    options["institution"], code, options["period"], version
                )
            return generation.unattached(code, version)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        except KeyError as exc:
            raise CommandError(f"no version {version} of {code}") from exc


def _default_rows(target: generation.Target) -> int:
    """A filer's every county (or assigned enterprise); else 20 rows, or fewer if the spec
    allows fewer."""
    limit = target.most_rows
    if target.filer and limit:
        return limit
    return min(limit or 20, 20)
