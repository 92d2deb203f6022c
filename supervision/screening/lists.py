"""The enterprise list of a screening task: read and checked by the SCREENING-LIST spec's own
reader and rules (from a workbook, or from rows typed in the portal), and stored as the task's
enterprises in bulk (COPY on PostgreSQL), so that a list of 200,000 enterprises loads in
seconds.
"""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal import audit
from portal.models import Division
from reporting import synthetic
from reporting.findings import FileRejected, Finding, render_message
from reporting.reader import ROW, read_return
from reporting.rules import Context, apply_rules
from reporting.specs import get_spec
from supervision.screening.models import ScreeningTask, TaskEnterprise

LIST_SPEC = get_spec("SCREENING-LIST")
ISSUES_SHOWN = 10
INSERT_BATCH = 5_000
ANALYZE_AFTER = 10_000  # enterprises in a new list
# Columns of the list as TaskEnterprise stores them: spec column key -> field name.
LIST_FIELDS = {
    "credit_code": "credit_code",
    "name": "name",
    "entity_type": "entity_type",
    "size": "size",
    "industry": "industry",
    "county": "county",
    "contact": "contact",
    "phone": "phone",
    "need_amount": "need_amount",
    "need_term": "need_term",
    "purpose": "purpose",
    "status": "list_status",
}


def reading_language() -> str:
    """'zh' or 'en': the half of the specs' bilingual texts to show."""
    return "en" if (get_language() or "").startswith("en") else "zh"


def _issue_lines(findings: list[Finding]) -> list[str]:
    lang = reading_language()
    lines = []
    for finding in findings:
        example = finding.examples[0] if finding.examples else None
        where = f"{example.cell}: " if example and example.cell else ""
        message = render_message(finding.rule, example, LIST_SPEC, lang)
        lines.append(f"{finding.rule.code} {where}{message} (×{finding.count})")
    return lines[:ISSUES_SHOWN]


def read_list(path: Path) -> pl.DataFrame:
    """The enterprises of a SCREENING-LIST workbook, checked by the spec's own reader and
    rules; a list with any error is refused with its first issues, so nothing half-loads."""
    try:
        table = read_return(path, LIST_SPEC)
    except FileRejected as rejected:
        raise ValidationError(_issue_lines(rejected.findings)) from rejected
    context = Context.defaults()
    context.divisions = frozenset(Division.objects.values_list("code", flat=True))
    errors = [f for f in apply_rules(table, context) if f.rule.blocks]
    if errors:
        raise ValidationError(_issue_lines(errors))
    return table.frame


@contextmanager
def workbook_of(spec, rows: list[dict]) -> Iterator[Path]:
    """Rows typed in the portal (dicts keyed by the spec's columns) as the spec's own template,
    so that they are read and checked exactly as an uploaded workbook is."""
    frame = pl.DataFrame(
        [
            {k: None if row.get(k) is None else str(row[k]) for k in spec.column_keys}
            for row in rows
        ],
        schema=dict.fromkeys(spec.column_keys, pl.String),
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{spec.code}.xlsx"
        synthetic.write_return(spec, frame, path)
        yield path


def list_from_rows(rows: list[dict]) -> pl.DataFrame:
    """Enterprises entered as rows (keys of SCREENING-LIST), checked as an uploaded list is."""
    if not rows:
        raise ValidationError(_("The list has no enterprises."))
    with workbook_of(LIST_SPEC, rows) as path:
        return read_list(path)


def _enterprise_frame(task: ScreeningTask, frame: pl.DataFrame) -> pl.DataFrame:
    """The list as TaskEnterprise's columns, every enterprise held by the task's office."""
    return frame.select(
        pl.lit(task.pk).alias("task_id"),
        *(pl.col(key).alias(name) for key, name in LIST_FIELDS.items()),
        pl.lit(task.office_id).alias("holder_id"),
        pl.lit(task.office.path).alias("holder_path"),
    ).with_columns(
        pl.col("need_amount").round(2),
        pl.col("need_term").cast(pl.Int64),
        *(
            pl.col(name).fill_null("")
            for key, name in LIST_FIELDS.items()
            if LIST_SPEC.column(key).type not in ("amount", "count")
        ),
    )


def _insert_enterprises(frame: pl.DataFrame) -> None:
    """COPY on PostgreSQL (200,000 rows in a couple of seconds), batches elsewhere."""
    frame = frame.with_columns(pl.lit("").alias(k) for k in ("decision", "decline_reason"))
    if connection.vendor == "postgresql":
        columns = ", ".join(frame.columns)
        text = [n for n, t in frame.schema.items() if t == pl.String]
        # COPY's text format: backslashes escaped; a tab or newline in a name is a space.
        frame = frame.with_columns(
            pl.col(text)
            .str.replace_all("\\", "\\\\", literal=True)
            .str.replace_all(r"[\t\n\r]", " ")
        )
        sql = f"COPY {TaskEnterprise._meta.db_table} ({columns}) FROM STDIN"
        # psycopg's own COPY, its errors as Django's (a dropped connection is an
        # OperationalError, which the task retries).
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.cursor.copy(sql) as copy,
        ):
            for chunk in frame.iter_slices(50_000):
                copy.write(
                    chunk.write_csv(
                        include_header=False, separator="\t", quote_style="never", null_value="\\N"
                    )
                )
        return
    for batch in frame.iter_slices(INSERT_BATCH):
        TaskEnterprise.objects.bulk_create(
            TaskEnterprise(**row) for row in batch.iter_rows(named=True)
        )


def store_list(user, task: ScreeningTask, enterprises: pl.DataFrame) -> None:
    """The checked list's enterprises, all held by the task's office."""
    if enterprises.height == 0:
        raise ValidationError(_("The list has no enterprises."))
    _insert_enterprises(_enterprise_frame(task, enterprises.drop(ROW, strict=False)))
    if connection.vendor == "postgresql" and enterprises.height >= ANALYZE_AFTER:
        # The planner's row counts would lag until autovacuum: a list of this size changes
        # the best plans for the pages that follow.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TaskEnterprise._meta.db_table}")
    ScreeningTask.objects.filter(pk=task.pk).update(enterprise_count=enterprises.height)
    task.enterprise_count = enterprises.height
    audit.record(
        user,
        "screening.task_created",
        task,
        {"enterprises": enterprises.height, "deadline": task.deadline.isoformat()},
    )
