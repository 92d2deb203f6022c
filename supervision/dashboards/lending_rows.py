"""The figures of accepted SME-LOANS returns as numbers (``LendingRow``), for the dashboards
to add up in the database.

A filing's rows are written once it is accepted: by the receiver of reporting's
``filing_accepting``, in the acceptance's transaction; by whatever writes accepted history
directly (the demo, the benchmarks); and by a sweep that catches any accepted filing still
without them (the acceptance's write failed and was left to it). Each write is one INSERT ...
SELECT that casts the stored text in the database and skips rows already written, so it is
safe to repeat and to run twice at once. Rows of a filing later superseded or returned stay,
unread: the dashboards join the filing and count only accepted returns in force, and the
quarters' sums they read (``period_summaries``) are rewritten without them.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    F,
    Field,
    Func,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Substr

from portal.models import Office
from reporting.models import Filing, FilingRow, FilingStatus
from reporting.spec import ReturnSpec
from reporting.specs import ALL
from supervision.dashboards import period_summaries
from supervision.dashboards.indicators import COST_ISSUED, COST_WEIGHT, RATE_WEIGHT
from supervision.dashboards.models import (
    LENDING_FIGURES,
    RATES,
    SPEC_CODE,
    InstitutionLending,
    LendingRow,
    LendingSummary,
)


class Numeric(Func):
    """A text as an unconstrained number (no precision to round to, unlike a DecimalField); a
    blank cell (JSON null, which Django's SQLite key transform reads as the text 'null') as
    NULL, never 0."""

    template = "CAST(NULLIF(%(expressions)s, 'null') AS NUMERIC)"
    output_field = DecimalField()


def accepted_filings() -> QuerySet[Filing]:
    """The accepted SME-LOANS returns in force."""
    return Filing.objects.filter(
        spec_code=SPEC_CODE,
        is_current=True,
        status=FilingStatus.ACCEPTED,
        check_only=False,
    )


def _column(name: str, model: type[Model] = LendingRow) -> str:
    """The table column of the model's field ``name``, one stored in the table."""
    found = model._meta.get_field(name)
    assert isinstance(found, Field) and found.column is not None, f"{name} has no column"
    return found.column


def record(filings: QuerySet[Filing]) -> int:
    """Write the lending rows of these filings' stored rows that have none yet, then the
    summaries of those filings that have none; returns how many lending rows were written.
    Each version is read by its own columns' positions; a figure the version lacks is written
    blank, never zero. The quarters' lending of the offices and institutions they touch is
    rewritten after them (``period_summaries``)."""
    wanted = period_summaries.touched(filings)
    written = sum(
        _record_version(filings.filter(spec_code=SPEC_CODE, spec_version=spec.version), spec)
        for spec in ALL
        if spec.code == SPEC_CODE
    )
    with transaction.atomic():
        summarise(filings.filter(spec_code=SPEC_CODE))
        period_summaries.refresh(wanted)
    return written


def _summed() -> dict:
    """The sums a summary holds (``SUMMARY_FIGURES``): every summed figure, and the weights of
    the averaged rates (a row without the cost, of a version that lacks it, carries no
    weight)."""
    sums = {key: Sum(key) for key in LENDING_FIGURES if key not in RATES}
    sums[RATE_WEIGHT] = Sum(F("issued_rate") * F("issued_ytd"), output_field=DecimalField())
    sums[COST_WEIGHT] = Sum(F("financing_cost") * F("issued_ytd"), output_field=DecimalField())
    reported = When(financing_cost__isnull=False, then=F("issued_ytd"))
    sums[COST_ISSUED] = Sum(Case(reported, output_field=DecimalField()))
    return sums


def summarise(filings: QuerySet[Filing]) -> None:
    """Write the summaries of these filings' lending rows, where a filing has none: for each
    depth of the office tree, the rows of each office at that depth summed (those of the
    counties it covers itself apart, ``own``). One INSERT ... SELECT per depth; counties the
    division table does not know are placed nowhere, as on the pages."""
    depth = Office.objects.aggregate(deepest=Max("depth"))["deepest"] or 0
    unsummarised = filings.filter(~Exists(LendingSummary.objects.filter(filing=OuterRef("pk"))))
    wanted = list(unsummarised.values_list("pk", flat=True))
    for start in range(0, len(wanted), SUMMARISED_AT_ONCE):
        _summarise(wanted[start : start + SUMMARISED_AT_ONCE], depth)


SUMMARISED_AT_ONCE = 5000  # filings summarised by one statement per depth


def _summarise(filing_ids: list[int], depth: int) -> None:
    table = connection.ops.quote_name(LendingSummary._meta.db_table)
    summed = _summed()
    names = ("filing", "path", "own", *summed, "depth")
    columns = ", ".join(connection.ops.quote_name(_column(n, LendingSummary)) for n in names)
    # Each sum named apart from its column, which the weights multiply.
    sums = {f"summed_{key}": total for key, total in summed.items()}
    with transaction.atomic(), connection.cursor() as cursor:
        for level in range(1, depth + 1):
            own = Case(
                When(county__office__depth=level, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
            rows = (
                LendingRow.objects.filter(filing__in=filing_ids)
                .filter(Q(county__office__depth__gte=level))
                .annotate(office_path=Substr("county__office__path", 1, level * Office.steplen))
                .annotate(own_counties=own)
                .values("filing_id", "office_path", "own_counties")
                .annotate(**sums)
                .order_by()
                .values_list("filing_id", "office_path", "own_counties", *sums)
            )
            select, params = rows.query.sql_with_params()
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT summed.*, {level} FROM ({select}) "
                "summed WHERE 1 = 1 ON CONFLICT DO NOTHING",  # WHERE: SQLite's parser needs it
                params,
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
    """Write the lending rows and summaries of every accepted return in force that has
    none, and the quarter's lending of its institution where that is missing."""
    recorded = LendingRow.objects.filter(filing=OuterRef("pk"))
    summarised = LendingSummary.objects.filter(filing=OuterRef("pk"))
    # A quarter's lending of the institution: missing after an upgrade that added it, or
    # where the acceptance's write failed after the lending rows (a return whose counties are
    # all unknown has none, and is rewritten by each sweep: a few rows).
    in_quarter = InstitutionLending.objects.filter(
        institution=OuterRef("institution_id"), period=OuterRef("period")
    )
    return record(
        accepted_filings().filter(~Exists(recorded) | ~Exists(summarised) | ~Exists(in_quarter))
    )
