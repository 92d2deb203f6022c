import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting import reader
from reporting.findings import FileRejected, render_message
from reporting.rules import Context, apply_rules
from reporting.spec import Severity
from reporting.specs import get_spec


class Command(BaseCommand):
    help = (
        "Validate a return file as a worker would, storing nothing. The spec is read from the "
        "template unless given. Exit status 1 when an error-severity rule is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--spec", help="spec code (default: named in the template)")
        parser.add_argument("--version", help="spec version (default: named in the template)")
        parser.add_argument("--json", action="store_true", help="print the findings as JSON")
        parser.add_argument("--lang", default="zh", choices=["zh", "en"])

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        code, version = options["spec"], options["version"]
        if not code:
            code, version = reader.template_ident(path)
        spec = get_spec(code, version)
        try:
            table = reader.read_return(path, spec)
            findings = apply_rules(table, Context.defaults())
            rows = table.frame.height
        except FileRejected as rejected:
            findings, rows = rejected.findings, 0
        if options["json"]:
            self.stdout.write(json.dumps(_as_json(spec, findings, rows), ensure_ascii=False))
        else:
            self._print(path, spec, findings, rows, options["lang"])
        if any(f.rule.severity == Severity.ERROR for f in findings):
            raise SystemExit(1)

    def _print(self, path, spec, findings, rows, lang):
        self.stdout.write(f"{path}: {spec.ident}, {rows} data rows, {len(findings)} rules broken")
        for finding in findings:
            rule = finding.rule
            self.stdout.write(f"{rule.code} {rule.severity} x{finding.count}")
            for example in finding.examples[:5]:
                where = f"{example.sheet}!{example.cell}" if example.cell else example.sheet
                self.stdout.write(f"  {where}: {render_message(rule, example, spec, lang)}")


def _as_json(spec, findings, rows) -> dict:
    return {
        "spec": spec.code,
        "version": spec.version,
        "rows": rows,
        "findings": [
            {
                "code": f.rule.code,
                "class": f.rule.rule_class,
                "severity": f.rule.severity,
                "count": f.count,
                "examples": [
                    {
                        **e.as_dict(),
                        "message_zh": render_message(f.rule, e, spec, "zh"),
                        "message_en": render_message(f.rule, e, spec, "en"),
                    }
                    for e in f.examples
                ],
            }
            for f in findings
        ],
    }
