"""Outliers: each figure of a quarterly return compared with the filer's own last quarters and
with its peers, as quality warnings the approver confirms with a reason (Q301, Q302).

The comparison is a robust z-score: the distance from the median in units of the median
absolute deviation (scaled by 1.4826 to read like a standard deviation), so that one earlier
outlier does not widen the range the way a mean and standard deviation would. A figure more
than 3.5 such units away (Iglewicz and Hoaglin's cut-off) is flagged, with the expected range
and the reason in the message.

- Own history (Q301): the same row (the county, the product line) and column in the filer's
  accepted returns of its last eight quarters, each read by its own version's columns; at
  least four quarters are needed.
- Peers (Q302): institutions of the same kind whose head office is in the same province, in
  the same quarter, pooling their rows. Only figures that do not grow with the size of the
  institution (rates, days) are compared: a large bank's county balance is not an outlier
  among small banks' for being large.
"""

from dataclasses import dataclass
from functools import partial

import polars as pl

from portal.models import Institution, Office
from reporting import periods
from reporting.models import Filing, FilingRow, FilingStatus
from reporting.reader import Table, note_rows
from reporting.spec import Column, ColumnType, ReturnSpec, RuleClass
from reporting.specs import get_spec

HISTORY_QUARTERS = 8
MIN_HISTORY = 4
MIN_PEER_VALUES = 5
CUT_OFF = 3.5
MAD_SCALE = 1.4826
# A spread never narrower than 5% of the median, nor than half a unit: a series that never
# moved would otherwise flag the smallest change.
RELATIVE_FLOOR = 0.05
ABSOLUTE_FLOOR = 0.5
SCALE_FREE = (ColumnType.RATE, ColumnType.DECIMAL)


@dataclass(frozen=True)
class Comparison:
    code: str
    frame: pl.DataFrame  # key (history only), column, value
    by_key: bool
    reason_zh: str
    reason_en: str


def compared_columns(spec: ReturnSpec, filing: Filing) -> list[Column]:
    """The figures of ``spec`` compared for this filing: none unless it is a quarterly,
    keyed return of an institution. A start-of-year figure is not: its cross-period rule holds
    it to the last year-end's, and it moves every January."""
    if not periods.is_quarter(filing.period) or not spec.key or filing.institution_id is None:
        return []
    starts = {s for r in spec.rules if r.rule_class == RuleClass.CROSS_PERIOD for s in r.previous}
    return [c for c in spec.columns if c.is_numeric and c.key not in starts]


def peer_columns(columns: list[Column]) -> list[Column]:
    return [c for c in columns if c.type in SCALE_FREE]


def flag(table: Table, filing: Filing) -> None:
    """Add the table's outliers against history and peers to its findings."""
    numeric = compared_columns(table.spec, filing)
    if not numeric or table.frame.is_empty():
        return
    _flag(table, numeric, history(filing, numeric), MIN_HISTORY)
    scale_free = peer_columns(numeric)
    if scale_free:
        _flag(table, scale_free, peers(filing, scale_free), MIN_PEER_VALUES)


def row_key(spec: ReturnSpec, labels: bool = False) -> pl.Expr:
    """A row's key as the stored rows hold it; ``labels``: of a frame holding its choices by
    their labels, as a generated one does before it is written."""
    parts = []
    for key in spec.key:
        part = pl.col(key).cast(pl.String)
        choices = spec.column(key).choices
        if labels and choices:
            part = part.replace({c.label_zh: c.value for c in choices})
        parts.append(part)
    return pl.concat_str(parts, separator="|").fill_null("")


def _long(spec_code: str, rows, keys: set[str]) -> pl.DataFrame:
    """(row key, version, data, period) as one value per row key and column, each row read
    by its own version's columns."""
    records = []
    for key, version, data, period in rows:
        spec = get_spec(spec_code, version)
        for column_key, text in zip(spec.column_keys, data, strict=False):
            if column_key in keys and text not in (None, ""):
                records.append((key, column_key, float(text), period))
    schema = {"key": pl.String, "column": pl.String, "value": pl.Float64, "period": pl.String}
    return pl.DataFrame(records, schema=schema, orient="row")


def history(filing: Filing, columns: list[Column]) -> Comparison:
    quarters = [periods.previous_quarter(filing.period)]
    while len(quarters) < HISTORY_QUARTERS:
        quarters.append(periods.previous_quarter(quarters[-1]))
    rows = FilingRow.objects.filter(
        filing__spec_code=filing.spec_code,
        filing__institution_id=filing.institution_id,
        filing__branch=filing.branch_id,
        filing__period__in=quarters,
        filing__is_current=True,
        filing__status=FilingStatus.ACCEPTED,
    ).values_list("key", "filing__spec_version", "data", "filing__period")
    return Comparison(
        "Q301",
        _long(filing.spec_code, rows.iterator(), {c.key for c in columns}),
        True,
        "与本单位近 {n} 个季度（中位数 {median}）相比",
        "against its own last {n} quarters (median {median})",
    )


def peers(filing: Filing, columns: list[Column]) -> Comparison:
    institution = Institution.objects.select_related("office").get(pk=filing.institution_id)
    province = institution.office.path[: Office.steplen * 2]
    rows = (
        FilingRow.objects.filter(
            filing__spec_code=filing.spec_code,
            filing__period=filing.period,
            filing__is_current=True,
            filing__status=FilingStatus.ACCEPTED,
            filing__institution__kind=institution.kind,
            filing__institution__office__path__startswith=province,
        )
        .exclude(filing__institution_id=institution.pk)
        .values_list("key", "filing__spec_version", "data", "filing__period")
    )
    return Comparison(
        "Q302",
        _long(filing.spec_code, rows.iterator(), {c.key for c in columns}),
        False,
        "与本省同类机构的 {n} 个报送数（中位数 {median}）相比",
        "against {n} figures of peers of the same kind in the province (median {median})",
    )


def _stats(comparison: Comparison, minimum: int) -> pl.DataFrame:
    group = ["key", "column"] if comparison.by_key else ["column"]
    value = pl.col("value")
    stats = (
        comparison.frame.group_by(group)
        .agg(
            value.median().alias("median"),
            (value - value.median()).abs().median().alias("mad"),
            pl.len().alias("n"),
        )
        .filter(pl.col("n") >= minimum)
    )
    floor = pl.max_horizontal(pl.col("median").abs() * RELATIVE_FLOOR, pl.lit(ABSOLUTE_FLOOR))
    scale = pl.max_horizontal(pl.col("mad") * MAD_SCALE, floor)
    return stats.with_columns(
        (pl.col("median") - scale * CUT_OFF).alias("low"),
        (pl.col("median") + scale * CUT_OFF).alias("high"),
    )


def _flag(table: Table, columns: list[Column], comparison: Comparison, minimum: int) -> None:
    if comparison.frame.is_empty():
        return
    stats = _stats(comparison, minimum)
    spec = table.spec
    keyed = table.frame.with_columns(row_key(spec).alias("_outlier_key"))
    finding = table.finding(comparison.code)
    for column in columns:
        mine = stats.filter(pl.col("column") == column.key).drop("column")
        if mine.is_empty():
            continue
        if comparison.by_key:
            joined = keyed.join(
                mine, left_on="_outlier_key", right_on="key", how="left", maintain_order="left"
            )
        else:
            joined = keyed.join(mine, how="cross")
        value = pl.col(column.key).cast(pl.Float64)
        low = pl.col("low").clip(lower_bound=0) if column.minimum is not None else pl.col("low")
        mask = (value < low) | (value > pl.col("high"))
        original, table.frame = table.frame, joined
        note_rows(
            table,
            finding,
            mask,
            column,
            pl.col(column.key),
            partial(_params, comparison=comparison),
            extra=(low.alias("low"), pl.col("high"), pl.col("median"), pl.col("n")),
        )
        table.frame = original


def _number(value: float) -> str:
    return f"{value:,.2f}"


def _params(hit: dict, comparison: Comparison) -> dict:
    median, n = _number(hit["median"]), hit["n"]
    return {
        "expected": f"{_number(hit['low'])} – {_number(hit['high'])}",
        "detail": {
            "zh": comparison.reason_zh.format(n=n, median=median),
            "en": comparison.reason_en.format(n=n, median=median),
        },
    }
