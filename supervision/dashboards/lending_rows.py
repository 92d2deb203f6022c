"""The figures of accepted SME-LOANS returns as numbers (``LendingRow``), for the dashboards
to add up in the database.

A filing's rows are written once it is accepted: by the receiver of reporting's
``filing_accepted``, by whatever writes accepted history directly (the demo, the benchmarks),
and by a sweep that catches any accepted filing still without them (a process that died
between the acceptance's commit and the receiver). Each write is one INSERT ... SELECT that
casts the stored text in the database and skips rows already written, so it is safe to repeat
and to run twice at once. Rows of a filing later superseded or returned stay, unread: the
dashboards join the filing and count only accepted returns in force.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import DecimalField, Exists, Field, Func, OuterRef, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform

from reporting.models import Filing, FilingRow, FilingStatus
from reporting.spec import ReturnSpec
from reporting.specs import ALL
from supervision.dashboards.models import LENDING_FIGURES, LendingRow

SPEC_CODE = "SME-LOANS"


class Numeric(Func):
    """A text as an unconstrained number (no precision to round to, unlike a DecimalField)."""

    template = "CAST(%(expressions)s AS NUMERIC)"
    output_field = DecimalField()


def accepted_filings() -> QuerySet[Filing]:
    """The accepted SME-LOANS returns in force."""
    return Filing.objects.filter(
        spec_code=SPEC_CODE,
        is_current=True,
        status=FilingStatus.ACCEPTED,
        check_only=False,
    )


def _column(name: str) -> str:
    """The table column of ``LendingRow``'s field ``name``, one stored in the table."""
    found = LendingRow._meta.get_field(name)
    assert isinstance(found, Field) and found.column is not None, f"{name} has no column"
    return found.column


def record(filings: QuerySet[Filing]) -> int:
    """Write the lending rows of these filings' stored rows that have none yet; returns how
    many were written. Each version is read by its own columns' positions; a figure the
    version lacks is written blank, never zero."""
    return sum(
        _record_version(filings.filter(spec_code=SPEC_CODE, spec_version=spec.version), spec)
        for spec in ALL
        if spec.code == SPEC_CODE
    )


def _record_version(filings: QuerySet[Filing], spec: ReturnSpec) -> int:
    positions = spec.column_keys
    source = (
        FilingRow.objects.filter(filing__in=filings.values("pk"))
        .filter(~Exists(LendingRow.objects.filter(row=OuterRef("pk"))))
        .annotate(
            **{
                f"figure_{key}": Numeric(KeyTextTransform(positions.index(key), "data"))
                if key in positions
                else Value(None, output_field=DecimalField())
                for key in LENDING_FIGURES
            }
        )
        .order_by()
        .values_list("pk", "filing_id", "key", *(f"figure_{key}" for key in LENDING_FIGURES))
    )
    try:
        select, params = source.query.sql_with_params()
    except EmptyResultSet:  # no filings at all
        return 0
    table = connection.ops.quote_name(LendingRow._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(_column(name))
        for name in ("row", "filing", "county", *LENDING_FIGURES)
    )
    # Not durable: history written straight to the tables (reporting.history) gets its lending
    # rows inside its own transaction, through the history_written signal.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) {select} ON CONFLICT DO NOTHING",
            params,
        )
        return cursor.rowcount


def record_missing() -> int:
    """Write the lending rows of every accepted return in force that has none."""
    recorded = LendingRow.objects.filter(filing=OuterRef("pk"))
    return record(accepted_filings().filter(~Exists(recorded)))
