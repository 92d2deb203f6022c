from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting import synthetic
from reporting.specs import codes, get_spec


class Command(BaseCommand):
    help = "Write a realistic synthetic return in the spec's template, optionally with defects."

    def add_arguments(self, parser):
        parser.add_argument("spec", choices=codes())
        parser.add_argument("--spec-version", help="spec version (default: the newest)")
        parser.add_argument("--rows", type=int, required=True)
        parser.add_argument("--defects", type=int, default=0, help="known defects to plant")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, **options):
        try:
            spec = get_spec(options["spec"], options["spec_version"])
        except KeyError as exc:
            version, code = options["spec_version"], options["spec"]
            raise CommandError(f"no version {version} of {code}") from exc
        frame = synthetic.synthetic_frame(spec, options["rows"], seed=options["seed"])
        defects: list[synthetic.Defect] = []
        if options["defects"]:
            frame, defects = synthetic.add_defects(spec, frame, options["defects"])
        synthetic.write_return(spec, frame, options["out"])
        self.stdout.write(f"{options['out']}: {spec.ident}, {frame.height} rows")
        for defect in defects:
            self.stdout.write(f"  defect row {defect.row} {defect.column}={defect.value!r}")
