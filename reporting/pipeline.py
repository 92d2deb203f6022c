"""Validating a filing in a worker: claim it, read and check the file, then store the issues,
the rows and the new status in one transaction.

``run`` is safe to call twice or after a worker died mid-way: it claims the filing with a row
lock and an attempt number, does the heavy work outside any transaction, and writes only if
its attempt is still the filing's current one. Nothing is half-written: rows, issues and the
status change commit together or not at all.
"""

import json
import logging
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from portal import audit
from portal.models import Division
from reporting import outliers, periods, watchdog
from reporting.findings import FileRejected, Finding
from reporting.models import Filing, FilingRow, FilingStatus, LprRate, ReturnRequest, RuleHit
from reporting.reader import ROW, Table, read_return
from reporting.rules import Context, apply_rules
from reporting.spec import ColumnType, RuleClass, Severity
from reporting.specs import get_spec

log = logging.getLogger(__name__)

ContextProvider = Callable[[ReturnRequest], dict[str, Any]]
_PROVIDERS: dict[str, ContextProvider] = {}
COPY_CHUNK = 25_000
INSERT_BATCH = 5_000


def provide_context(spec_code: str) -> Callable[[ContextProvider], ContextProvider]:
    """Let another app supply rule parameters for a spec (e.g. screening: the assigned list)."""

    def register(provider: ContextProvider) -> ContextProvider:
        _PROVIDERS[spec_code] = provider
        return provider

    return register


@dataclass
class Outcome:
    status: str
    findings: list[Finding]
    table: Table | None


def run(filing_id: int) -> None:
    """Validate one filing; a second call for a finished filing does nothing."""
    attempt = _claim(filing_id)
    if attempt is None:
        return
    if watchdog.over_limit(attempt):  # started too often: it kills its worker, or cannot run
        watchdog.give_up(filing_id)
        return
    filing = Filing.objects.select_related("request").get(pk=filing_id)
    with watchdog.heartbeat(filing_id, attempt):
        outcome = validate(filing)
    _store(filing_id, attempt, outcome)


def _claim(filing_id: int) -> int | None:
    with transaction.atomic(durable=True):
        filing = Filing.objects.select_for_update().filter(pk=filing_id).first()
        if filing is None or not filing.is_pending:
            return None
        filing.status = FilingStatus.VALIDATING
        filing.attempts += 1
        filing.phase, filing.progress, filing.heartbeat_at = "opening", 1, timezone.now()
        filing.save(update_fields=["status", "attempts", "phase", "progress", "heartbeat_at"])
        return filing.attempts


def _progress(filing_id: int, phase: str, percent: int) -> None:
    Filing.objects.filter(pk=filing_id).update(
        phase=phase, progress=percent, heartbeat_at=timezone.now()
    )


def validate(filing: Filing) -> Outcome:
    """Read and check the filing's file (or JSON rows) against its spec and context."""
    spec = get_spec(filing.spec_code, filing.spec_version)
    try:
        with local_copy(filing) as path:
            _progress(filing.pk, "reading", 10)
            table = read_return(path, spec, declared_size=filing.declared_size)
    except FileRejected as rejected:
        return Outcome(FilingStatus.REJECTED, rejected.findings, None)
    _progress(filing.pk, "checking", 50)
    outliers.flag(table, filing)
    findings = apply_rules(table, context_for(filing))
    return Outcome(status_for(findings), findings, table)


def status_for(findings: list[Finding]) -> str:
    if any(f.rule.severity == Severity.ERROR for f in findings):
        return FilingStatus.REJECTED
    if any(f.rule.needs_confirmation for f in findings):
        return FilingStatus.NEEDS_CONFIRMATION
    return FilingStatus.VALID


@contextmanager
def local_copy(filing: Filing) -> Iterator[Path]:
    """A path to the stored file; copied from remote storage (e.g. S3) when it has none."""
    try:
        yield Path(filing.file.path)
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp, filing.file.open("rb") as src:
        for chunk in src.chunks():
            tmp.write(chunk)
        tmp.flush()
        yield Path(tmp.name)


def context_for(filing: Filing) -> Context:
    """What this filing's rules compare with: LPR, divisions, previous filing, task data."""
    params: dict[str, Any] = {"today": timezone.localdate()}
    if periods.is_quarter(filing.period):
        lpr = LprRate.on(periods.quarter_end(filing.period))
        if lpr is not None:
            params["lpr"] = lpr
    context = Context.defaults(**params)
    context.divisions = frozenset(Division.objects.values_list("code", flat=True))
    if filing.branch_id is None:  # a branch files for itself, not as its bank
        context.filer_kind = filing.institution.kind
    provider = _PROVIDERS.get(filing.spec_code)
    if provider and filing.request is not None:
        context.params.update(provider(filing.request))
    context.previous = previous_rows(filing)
    return context


def previous_rows(filing: Filing) -> pl.DataFrame | None:
    """Rows of the accepted filing this one's cross-period rules compare with: None where no
    comparison applies, no rows where it applies but nothing was accepted (the rules then say
    once that they skipped the comparison)."""
    spec = get_spec(filing.spec_code, filing.spec_version)
    if not any(r.rule_class == RuleClass.CROSS_PERIOD for r in spec.rules):
        return None
    if not periods.is_quarter(filing.period):
        return None
    previous = (
        Filing.objects.filter(
            spec_code=filing.spec_code,
            period=periods.previous_year_end(filing.period),
            institution_id=filing.institution_id,
            branch=filing.branch_id,  # django-stubs refuses branch_id=None (its #3472)
            is_current=True,
        )
        .values_list("pk", "spec_version")
        .first()
    )
    data = []
    before = spec
    if previous is not None:
        data = list(FilingRow.objects.filter(filing_id=previous[0]).values_list("data", flat=True))
        # The year-end may have been filed under another version of the spec (2024Q4 under
        # 2023, 2025Q1 under 2025): its rows are read by its own columns, compared by key.
        before = get_spec(filing.spec_code, previous[1])
    schema = dict.fromkeys(before.column_keys, pl.String)
    frame = pl.DataFrame(data, schema=schema, orient="row")
    return frame.with_columns(
        pl.col(c.key).cast(pl.Float64, strict=False) for c in before.columns if c.is_numeric
    )


def _store(filing_id: int, attempt: int, outcome: Outcome) -> None:
    _progress(filing_id, "storing", 80)
    with transaction.atomic(durable=True):
        filing = Filing.objects.select_for_update().get(pk=filing_id)
        if filing.status != FilingStatus.VALIDATING or filing.attempts != attempt:
            log.info("filing %s: attempt %s superseded; result dropped", filing_id, attempt)
            return
        RuleHit.objects.filter(filing=filing).delete()
        FilingRow.objects.filter(filing=filing).delete()
        RuleHit.objects.bulk_create(
            RuleHit(
                filing=filing,
                code=f.rule.code,
                rule_class=f.rule.rule_class,
                severity=f.rule.severity,
                count=f.count,
                examples=[e.as_dict() for e in f.examples],
            )
            for f in outcome.findings
        )
        if (
            outcome.table is not None
            and not filing.check_only
            and outcome.status != FilingStatus.REJECTED
        ):
            store_rows(filing, outcome.table)
        filing.status = outcome.status
        filing.phase, filing.progress = "done", 100
        filing.validated_at = timezone.now()
        filing.row_count = outcome.table.frame.height if outcome.table else 0
        filing.error_count = sum(f.count for f in outcome.findings if f.rule.blocks)
        filing.warning_count = sum(f.count for f in outcome.findings if f.rule.needs_confirmation)
        filing.save()
        audit.record(
            None,
            "filing.validated",
            filing,
            {
                "status": outcome.status,
                "errors": filing.error_count,
                "warnings": filing.warning_count,
            },
        )


def _as_text(column) -> pl.Expr:
    """A column as the text stored for it: whole counts without ".0", flags as "Y"/"N"."""
    value = pl.col(column.key)
    if column.type == ColumnType.COUNT:
        return value.cast(pl.Int64).cast(pl.String)
    if column.type == ColumnType.FLAG:
        return pl.when(value).then(pl.lit("Y")).when(~value).then(pl.lit("N"))
    return value.cast(pl.String)


# JSON string escapes for the characters a text cell may hold that JSON does not allow raw.
_CONTROL = [chr(i) for i in range(32)]
_ESCAPED = [json.dumps(ch)[1:-1] for ch in _CONTROL]


def _as_json(column) -> pl.Expr:
    """A column's stored text as a JSON literal, built by string ops: several times faster
    than encoding lists, which polars does row by row."""
    text = _as_text(column)
    if column.type in (ColumnType.TEXT, ColumnType.PHONE):
        text = (
            text.str.replace_all("\\", "\\\\", literal=True)
            .str.replace_all('"', '\\"', literal=True)
            .str.replace_many(_CONTROL, _ESCAPED)
        )
    quoted = pl.concat_str(pl.lit('"'), text, pl.lit('"'))
    return pl.when(text.is_null()).then(pl.lit("null")).otherwise(quoted)


def store_rows(filing: Filing, table: Table) -> None:
    """The typed rows as (row, key, data): COPY on PostgreSQL, batches elsewhere. ``data`` is
    the JSON array of the row's values as text in the spec's column order (half the size of
    an object, and exact for Decimal); ``FilingRow.values`` gives them back typed."""
    spec = table.spec
    values = pl.concat_str([_as_json(c) for c in spec.columns], separator=",")
    row = [
        pl.lit(filing.pk).alias("filing_id"),
        pl.col(ROW).alias("row"),
        outliers.row_key(spec).alias("key"),
        pl.concat_str(pl.lit("["), values, pl.lit("]")).alias("data"),
    ]
    if connection.vendor == "postgresql":
        _copy_rows(table.frame, row)
        return
    for batch in table.frame.iter_slices(INSERT_BATCH):
        FilingRow.objects.bulk_create(
            FilingRow(filing_id=f, row=r, key=k, data=json.loads(d))
            for f, r, k, d in batch.select(row).iter_rows()
        )


def _copy_text(chunk: pl.DataFrame, row: list[pl.Expr]) -> bytes:
    """A chunk's rows in COPY's text format: JSON never holds a raw tab or newline, so
    escaping backslashes is all it needs, and it is a third smaller than CSV, which would
    double every quote."""
    lines = chunk.select(row).with_columns(
        pl.col("key").str.replace_all(r"[\\\t\n]", " "),
        pl.col("data").str.replace_all("\\", "\\\\", literal=True),
    )
    return lines.write_csv(include_header=False, separator="\t", quote_style="never").encode()


def _copy_rows(frame: pl.DataFrame, row: list[pl.Expr]) -> None:
    # The next chunk is made (by polars, without the GIL) while PostgreSQL takes this one:
    # its JSON parsing and index upkeep overlap our building of the text, instead of
    # following it. One chunk ahead, so memory holds two chunks' text, not the whole file's.
    table = FilingRow._meta.db_table
    sql = f"COPY {table} (filing_id, row, key, data) FROM STDIN"
    # psycopg's own COPY, with its errors raised as Django's: a connection dropped mid-COPY is
    # an OperationalError, which the task retries (raw, it failed the task for good).
    with (
        ThreadPoolExecutor(max_workers=1) as maker,
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(sql) as copy,
    ):
        ahead: Future[bytes] | None = None
        for chunk in frame.iter_slices(COPY_CHUNK):
            made = maker.submit(_copy_text, chunk, row)
            if ahead is not None:
                copy.write(ahead.result())
            ahead = made
        if ahead is not None:
            copy.write(ahead.result())
