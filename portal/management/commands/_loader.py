"""What load_offices and load_institutions share: arguments, help layout and reporting."""

import argparse
import textwrap
from collections.abc import Callable
from typing import TypeVar

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
)

from portal.loading import FILE_HELP, InstitutionPlan, OfficePlan
from portal.tables import LoadError, Report

Plan = TypeVar("Plan", OfficePlan, InstitutionPlan)


class _HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keeps the column table in the help text as written."""


class LoaderCommand(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        kwargs["formatter_class"] = _HelpFormatter
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("file", help="a .csv or .xlsx file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report; load nothing"
        )

    def checked(self, plan_file: Callable[[str], Plan], path: str) -> Plan:
        """The file's plan; raises CommandError listing every bad row if there is one."""
        try:
            plan = plan_file(path)
        except LoadError as exc:
            raise CommandError(f"{exc}\nnothing loaded") from exc
        report: Report = plan.report
        for line in report.warning_lines():
            self.stderr.write(line, style_func=self.style.WARNING)
        if not report.ok:
            raise CommandError(
                "\n".join(
                    [
                        *report.error_lines(),
                        f"{report.bad_rows} of {report.rows} rows in {path} are bad; "
                        f"nothing loaded",
                    ]
                )
            )
        self.stdout.write(f"{path}: {report.rows} rows ({report.encoding}), all good")
        return plan


def layout_help(summary: str, columns: str, extra: str) -> str:
    prose = [textwrap.fill(text, 79) for text in (summary, FILE_HELP, extra)]
    return "\n\n".join([*prose[:2], f"Columns:\n{columns}", prose[2]])
