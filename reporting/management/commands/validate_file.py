import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting import reader
from reporting.findings import FileRejected, Finding, render_message
from reporting.rules import Context, apply_rules
from reporting.spec import ReturnSpec, Severity
from reporting.specs import get_spec


class Command(BaseCommand):
    help = (
        "Validate a return file as a worker would, storing nothing. The spec is read from the "
        "template unless given. Exit status 1 when an error-severity rule is broken, including "
        "a file that cannot be read as a return at all (empty, not a workbook, another "
        "template): it is answered like any other, never with a traceback."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--spec", help="spec code (default: named in the template)")
        parser.add_argument(
            "--spec-version", help="spec version (default: named in the template, or the newest)"
        )
        parser.add_argument("--json", action="store_true", help="print the findings as JSON")
        parser.add_argument("--lang", default="zh", choices=["zh", "en"])

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        spec: ReturnSpec | None = None
        try:
            spec = _spec_of(path, options["spec"], options["spec_version"])
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
        ident = spec.ident if spec is not None else "?"
        self.stdout.write(f"{path}: {ident}, {rows} data rows, {len(findings)} rules broken")
        for finding in findings:
            rule = finding.rule
            self.stdout.write(f"{rule.code} {rule.severity} x{finding.count}")
            for example in finding.examples[:5]:
                where = f"{example.sheet}!{example.cell}" if example.cell else example.sheet
                self.stdout.write(f"  {where}: {render_message(rule, example, spec, lang)}")


def _spec_of(path: Path, code: str | None, version: str | None) -> ReturnSpec:
    """The spec asked for, or the one the workbook's template names; a file that cannot be
    opened or names no spec we know is rejected as the worker would reject it."""
    if not code:
        try:
            code, version = reader.template_ident(path)
        except FileRejected:
            raise
        except Exception as exc:  # calamine's errors are untyped; any is a damaged file
            raise FileRejected.because("S019", detail=str(exc)[:200]) from exc
    try:
        return get_spec(code, version or None)
    except (KeyError, ValueError):
        found = f"{code} {version}".strip()
        raise FileRejected.because("S007", found=found[:100], expected="?") from None


def _as_json(spec: ReturnSpec | None, findings: list[Finding], rows: int) -> dict:
    return {
        "spec": spec.code if spec is not None else None,
        "version": spec.version if spec is not None else None,
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
