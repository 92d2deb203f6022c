"""The dashboards' queries of accepted SME-LOANS returns' sums: the rows and summaries of the
returns in force, and their sums grouped, read exactly (``figures`` builds the pages on them)."""

from decimal import Decimal

from django.db import connection
from django.db.models import Aggregate, Model, QuerySet, Sum

from portal.models import Division, Office
from reporting.models import FilingStatus
from supervision.dashboards.indicators import Sums
from supervision.dashboards.models import SPEC_CODE, SUMMARY_FIGURES, LendingRow


def accepted(model: type[Model], period_list: list[str]) -> QuerySet:
    """The lending rows (``LendingRow``) or summaries (``LendingSummary``) of the accepted
    SME-LOANS filings in force for these periods."""
    return model._default_manager.filter(
        filing__spec_code=SPEC_CODE,
        filing__period__in=period_list,
        filing__is_current=True,
        filing__status=FilingStatus.ACCEPTED,
        filing__check_only=False,
    )


def accepted_rows(period_list: list[str]) -> QuerySet[LendingRow]:
    """The lending rows of the accepted SME-LOANS filings in force for these periods."""
    return accepted(LendingRow, period_list)


def in_subtree(rows: QuerySet, office: Office, county: str = "county") -> QuerySet:
    """Rows whose ``county`` field names a county covered by ``office`` or an office under it."""
    counties = Division.objects.filter(office__path__startswith=office.path).values("code")
    return rows.filter(**{f"{county}__in": counties})


def grouped(rows: QuerySet, keys: tuple[str, ...], columns: tuple[str, ...], **counted: Aggregate):
    """The SQL of the rows' column sums (all, or ``columns`` only) grouped by ``keys``, then
    the ``counted`` aggregates; and the sums' names, in the order it selects them."""
    # Each sum is named apart from its column.
    aggregates = {f"total_{key}": Sum(key) for key in columns or SUMMARY_FIGURES}
    found = (
        rows.values(*keys)
        .annotate(**aggregates, **counted)
        .order_by()
        .values_list(*keys, *aggregates, *counted)
    )
    sql, params = found.query.sql_with_params()
    return sql, list(params), [name.removeprefix("total_") for name in aggregates]


def read_sums(names: list[str], values) -> Sums:
    """Sums as read from the cursor: PostgreSQL's driver gives exact Decimals (read directly,
    sparing Django's per-value converters, a quarter of the General Bureau's page time).
    SQLite sums in floats; rounded to the millionth, their sums of filed figures read as
    filed."""
    if connection.vendor == "postgresql":
        return dict(zip(names, values, strict=True))
    return {
        name: None if value is None else Decimal(str(round(value, 6)))
        for name, value in zip(names, values, strict=True)
    }


def sums_by(rows: QuerySet, *keys: str, columns: tuple[str, ...] = ()) -> dict[tuple, Sums]:
    """The rows' column sums (all, or ``columns`` only) grouped by ``keys``: one query."""
    sql, params, names = grouped(rows, keys, columns)
    width = len(keys)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return {tuple(values[:width]): read_sums(names, values[width:]) for values in found}
