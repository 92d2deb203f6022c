"""Reading a return: the template check, the header check and the data, as a polars frame.

The sheet is read once by fastexcel (calamine) into Arrow string columns; each column is then
normalised and typed by vectorised polars expressions. Cells that cannot be typed become
findings by cell, and the raw text is dropped as soon as its column is typed, so memory is
the frame's, never one Python object per cell.
"""

import contextlib
import ctypes
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import fastexcel
import polars as pl
from openpyxl.utils import get_column_letter

from reporting import rejections, safety
from reporting.cellformats import percent_cells
from reporting.codechecks import credit_code_valid, org_code_valid
from reporting.findings import Example, FileRejected, Finding
from reporting.headers import Layout, norm_header, read_headers
from reporting.rulebook import rule
from reporting.spec import HEADER_ROWS, META_SHEET, Column, ColumnType, ReturnSpec, Rule

ROW = "_row"  # the Excel row number of each data row
T = ColumnType
MAX_ROWS = 1_048_576 - HEADER_ROWS
_EXCEL_EPOCH = date(1899, 12, 30)


@dataclass
class Table:
    """A return's data, typed by its spec, with what reading it found."""

    spec: ReturnSpec
    frame: pl.DataFrame
    findings: dict[str, Finding] = field(default_factory=dict)
    layout: Layout | None = None  # where the spec's columns are in the sheet, if not in order

    def finding(self, code: str) -> Finding:
        return self.findings.setdefault(code, Finding(rule(code)))

    def finding_for(self, spec_rule: Rule) -> Finding:
        return self.findings.setdefault(spec_rule.code, Finding(spec_rule))

    def note(
        self, code: str, mask: pl.Expr, column: Column | None, value: pl.Expr, params=None
    ) -> None:
        """Record every row where ``mask`` holds as a hit of rule ``code`` on ``column``."""
        note_rows(self, self.finding(code), mask, column, value, lambda _: dict(params or {}))

    def cell(self, column: Column | None, row: int) -> str:
        if column is None:
            return f"A{row}"
        index = self.spec.columns.index(column)
        return f"{self.layout.letter(index) if self.layout else get_column_letter(index + 1)}{row}"


def note_rows(
    table: Table,
    finding: Finding,
    mask: pl.Expr,
    column: Column | None,
    value: pl.Expr,
    params: Callable[[dict], dict] | None = None,
    extra: tuple[pl.Expr, ...] = (),
    count: int | None = None,
) -> None:
    """Add to ``finding`` the count of rows where ``mask`` holds and the first examples."""
    frame = table.frame
    if count is None:
        count = frame.select(mask.fill_null(False).sum()).item()
    if not count:
        return
    room = max(0, 300 - len(finding.examples))
    sample = (
        frame.lazy()
        .filter(mask.fill_null(False))
        .select(pl.col(ROW), value.cast(pl.String).alias("value"), *extra)
        .head(room)
        .collect()
    )
    for hit in sample.iter_rows(named=True):
        finding.examples.append(
            Example(
                sheet=table.spec.sheet,
                row=hit[ROW],
                column=column.key if column else "",
                cell=table.cell(column, hit[ROW]),
                value="" if hit["value"] is None else hit["value"],
                params=params(hit) if params else {},
            )
        )
    finding.count += count


def read_return(
    path: Path, spec: ReturnSpec, *, declared_size: int | None = None, max_rows: int = MAX_ROWS
) -> Table:
    """Open the file safely, check it is this spec's template, and type its data.

    Raises ``FileRejected`` when the file cannot be read as this return at all.
    """
    # The file's own safety first; a missing data sheet is reported only once we know the
    # workbook is our template (a wrong template deserves the more useful message).
    missing_sheet = None
    try:
        facts = safety.inspect_workbook(path, data_sheet=spec.sheet, declared_size=declared_size)
    except FileRejected as rejected:
        if [f.rule.code for f in rejected.findings] != ["S009"]:
            raise
        missing_sheet = rejected
    try:
        workbook = fastexcel.read_excel(path)
    except Exception as exc:  # calamine's errors are untyped; any is a damaged file
        raise FileRejected.because("S019", detail=str(exc)[:200]) from exc
    check_template(workbook, spec)
    if missing_sheet is not None:
        raise missing_sheet
    # The sheet is parsed once, headings and data together: calamine parses the whole sheet
    # whatever number of rows it is asked for.
    sheet = workbook.load_sheet(spec.sheet, header_row=None, dtypes="string").to_polars()
    layout = read_headers(sheet.head(HEADER_ROWS), spec)
    # Trailing columns that are blank all the way down are not in the sheet: nulls.
    raw = sheet.slice(HEADER_ROWS).select(
        pl.col(sheet.columns[at]).alias(column.key)
        if at < sheet.width
        else pl.lit(None, pl.String).alias(column.key)
        for at, column in zip(layout.positions, spec.columns, strict=True)
    )
    del sheet
    raw = raw.with_row_index(ROW, offset=HEADER_ROWS + 1).with_columns(pl.col(ROW).cast(pl.Int64))
    blank = pl.all_horizontal(
        pl.col(k).str.strip_chars().fill_null("") == "" for k in spec.column_keys
    )
    raw = raw.filter(~blank)
    if raw.height == 0:
        raise FileRejected.because("S016", sheet=spec.sheet)
    if raw.height > max_rows:
        raise FileRejected.because("S017", sheet=spec.sheet, found=raw.height, limit=max_rows)
    found = {f.rule.code: f for f in (*facts.warnings, *layout.findings)}
    table = Table(spec, raw, found, layout)
    dropped = drop_totals_rows(table)
    if dropped and facts.data_scan is not None and "S021" in table.findings:
        # The totals row's =SUM() cells are never read: S021 speaks of the others only.
        cached = facts.data_scan.cached_finding(spec.sheet, dropped)
        if cached is None:
            del table.findings["S021"]
        else:
            table.findings["S021"] = cached
    release_freed_memory()
    rates = {layout.letter(i): c.key for i, c in enumerate(spec.columns) if c.type == T.RATE}
    type_columns(table, percent_cells(path, spec.sheet, rates))
    return table


# A row that adds up others says so where a row names its county or enterprise.
TOTALS_LABEL = r"合\s*计|小\s*计|总\s*计|共\s*计|^\s*(?i:(?:sub|grand)?\s*total|sum)\b"


def drop_totals_rows(table: Table) -> set[int]:
    """Note the totals and subtotal rows (V014, "delete the totals row") and leave them out of
    the data, so that their sums are not read as a county's figures. Returns their rows."""
    labels = table.spec.label_columns
    hits = [pl.col(k).str.contains(TOTALS_LABEL).fill_null(False) for k in labels]
    if not hits:
        return set()
    mask = pl.any_horizontal(hits)
    count = table.frame.select(mask.sum()).item()
    if not count:
        return set()
    label = pl.coalesce(pl.when(hit).then(pl.col(k)) for hit, k in zip(hits, labels, strict=True))
    column = table.spec.column(labels[0])
    note_rows(table, table.finding("V014"), mask, column, label, count=count)
    dropped = set(table.frame.filter(mask)[ROW].to_list())
    table.frame = table.frame.filter(~mask)
    return dropped


def release_freed_memory() -> None:
    """Give the heap calamine freed back to the system: polars allocates elsewhere, so
    without this a worker's peak would be calamine's peak plus polars' work."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def template_ident(path: Path) -> tuple[str, str]:
    """(spec code, version) named by a workbook's hidden meta sheet, after the safety checks."""
    safety.inspect_workbook(path)
    values = _meta(fastexcel.read_excel(path))
    if not values.get("spec"):
        raise rejections.not_from_a_template(None)
    return values["spec"], values.get("version") or ""


def _meta(workbook: fastexcel.ExcelReader) -> dict[str, str]:
    if META_SHEET not in workbook.sheet_names:
        return {}
    meta = workbook.load_sheet(META_SHEET, header_row=None, dtypes="string").to_polars()
    return {row[0]: row[1] for row in meta.rows() if len(row) > 1}


def check_template(workbook: fastexcel.ExcelReader, spec: ReturnSpec) -> None:
    """The hidden meta sheet names the spec and version this workbook was made for."""
    if META_SHEET not in workbook.sheet_names:
        raise rejections.not_from_a_template(spec)
    values = _meta(workbook)
    code, version = values.get("spec") or "", values.get("version") or ""
    if not code:
        raise rejections.not_from_a_template(spec)
    if code != spec.code:
        raise rejections.another_template(code, version, spec)
    if version != spec.version:
        raise FileRejected.because("S008", found=version or "?", expected=spec.version)


# Typing, in two steps so that each is computed once: ``_normalised`` makes the text canonical
# (full-width to half-width, spaces, case), ``_typed`` turns it into the column's type. A
# non-blank cell that types to null breaks the column's type rule.


def _nfkc(raw: pl.Expr) -> pl.Expr:
    return raw.str.normalize("NFKC").str.strip_chars()


def _normalised(raw: pl.Expr, column: Column) -> pl.Expr:
    match column.type:
        case T.AMOUNT | T.COUNT | T.DECIMAL | T.RATE:
            return _nfkc(raw).str.replace_all(r"[,\s]", "")
        case T.CREDIT_CODE | T.DIVISION | T.INDUSTRY:
            return _nfkc(raw).str.replace_all(r"\s+", "").str.to_uppercase()
        case T.CHOICE | T.FLAG:
            return _nfkc(raw).str.replace_all(r"\s+", "").str.to_lowercase()
        case T.PHONE:
            return _nfkc(raw).str.replace_all(r"[\s()+-]", "")
        case _:
            return _nfkc(raw)


def _date(text: pl.Expr) -> pl.Expr:
    """A date written as 2025-03-01 (as nearly every one is) is parsed as it stands; the
    others (2025/3/1, 2025年3月1日, 20250301, an Excel serial) by ``_any_date``, which is
    given only them: polars computes both branches of a ``when`` for every row."""
    iso = text.str.contains(r"^\d{4}-\d{2}-\d{2}$")
    as_written = text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    return pl.when(iso).then(as_written).otherwise(_any_date(pl.when(~iso).then(text)))


def _any_date(text: pl.Expr) -> pl.Expr:
    parts = text.str.extract_groups(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
    compact = text.str.extract_groups(r"^(\d{4})(\d{2})(\d{2})$")
    year = pl.coalesce(parts.struct[0], compact.struct[0])
    month = pl.coalesce(parts.struct[1], compact.struct[1]).str.zfill(2)
    day = pl.coalesce(parts.struct[2], compact.struct[2]).str.zfill(2)
    iso = pl.concat_str(year, pl.lit("-"), month, pl.lit("-"), day)
    serial = text.cast(pl.Float64, strict=False)
    from_serial = pl.when(serial.is_between(20000, 80000)).then(
        pl.lit(_EXCEL_EPOCH) + pl.duration(days=serial.floor().cast(pl.Int64))
    )
    return pl.coalesce(iso.str.strptime(pl.Date, "%Y-%m-%d", strict=False), from_serial)


def _choice(key: pl.Expr, column: Column) -> pl.Expr:
    mapping: dict[str, str] = {}
    for choice in column.choices:
        for text in (choice.value, choice.label_zh, choice.label_en):
            mapping[norm_header(text)] = choice.value
    if column.type == T.FLAG:
        mapping.update({"true": "Y", "false": "N", "1": "Y", "0": "N", "y": "Y", "n": "N"})
    return key.replace_strict(mapping, default=None, return_dtype=pl.String)


@dataclass(frozen=True)
class CellCheck:
    code: str
    column: Column
    breach: pl.Expr
    value: pl.Expr
    params: dict = field(default_factory=dict)
    found: pl.Expr | None = None  # a value each example quotes as {found}


def _raw(key: str) -> str:
    return f"{key}__raw"


def failed(key: str) -> str:
    """The boolean column marking the cells of ``key`` that failed their own check (type,
    sign, bounds, code): rules that depend on the column leave those rows alone."""
    return f"_failed__{key}"


def type_columns(table: Table, percent_rows: dict[str, list[int]] | None = None) -> None:
    """Replace the raw strings of every column by typed values, noting every cell that fails.

    Column by column, so that only one column's raw text lives beside the typed frame; a
    column's cell checks are counted in one pass. ``percent_rows`` names, per rate column, the
    rows whose cell is formatted as a percentage: 0.0323 shown as 3.23% is read as 3.23.
    """
    for column in table.spec.columns:
        key = column.key
        table.frame = table.frame.with_columns(
            pl.col(key).alias(_raw(key)), _normalised(pl.col(key), column).alias(key)
        )
        typed = _typed(pl.col(key), column)[0]
        rows = (percent_rows or {}).get(key, [])
        if rows:
            as_shown = (typed * 100).round(10)
            typed = pl.when(pl.col(ROW).is_in(rows)).then(as_shown).otherwise(typed)
        table.frame = table.frame.with_columns(
            pl.when(pl.col(key).fill_null("") != "").then(typed).alias(key)
        )
        _note_cell_checks(table, cell_checks(column, rows))
        table.frame = table.frame.drop(_raw(key))


def _note_cell_checks(table: Table, checks: list[CellCheck]) -> None:
    if not checks:
        return
    counts = table.frame.select(
        check.breach.fill_null(False).sum().alias(str(i)) for i, check in enumerate(checks)
    ).row(0)
    failing = []
    for check, count in zip(checks, counts, strict=True):
        if not count:
            continue
        note_rows(
            table,
            table.finding(check.code),
            check.breach,
            check.column,
            check.value,
            _example_params(check),
            extra=() if check.found is None else (check.found.alias("found"),),
            count=count,
        )
        if rule(check.code).blocks:
            failing.append(check.breach.fill_null(False))
    if failing:
        table.frame = table.frame.with_columns(
            pl.any_horizontal(failing).alias(failed(checks[0].column.key))
        )


def _example_params(check: CellCheck) -> Callable[[dict], dict]:
    """The example parameters of a check: the same for every breach, and {found} if quoted."""
    if check.found is None:
        return lambda _: dict(check.params)
    return lambda hit: {**check.params, "found": f"{hit['found']:g}"}


def cell_checks(column: Column, percent_rows: list[int] | tuple = ()) -> list[CellCheck]:
    """The cell rules a column's declaration implies, as breach expressions."""
    raw, value = pl.col(_raw(column.key)), pl.col(column.key)
    present = raw.str.strip_chars().fill_null("") != ""
    checks = []
    if column.required:
        checks.append(CellCheck("V001", column, ~present, raw))
    rule_code = _typed(value, column)[1]
    if rule_code:
        checks.append(CellCheck(rule_code, column, present & value.is_null(), raw))
    if column.type == T.CREDIT_CODE:
        checks.append(CellCheck("V013", column, value.is_not_null() & (value != raw), raw))
        checks.append(CellCheck("V012", column, ~org_code_valid(value), value))
    if column.type == T.RATE:
        checks.append(_percent_check(column, percent_rows))
    if column.is_numeric:
        if column.type == T.COUNT:
            checks.append(CellCheck("V004", column, value != value.floor(), raw))
        if column.minimum is not None and column.minimum == 0:
            checks.append(CellCheck("V003", column, value < 0, raw))
        bounds = _bounds(column)
        if bounds is not None:
            limit = f"{column.minimum or 0}-{column.maximum or ''}"
            checks.append(CellCheck("V009", column, bounds, raw, {"limit": limit}))
    return checks


def _percent_check(column: Column, percent_rows: list[int] | tuple) -> CellCheck:
    """N003: a rate typed with a % sign, or formatted as a percentage, read as shown."""
    raw, value = pl.col(_raw(column.key)), pl.col(column.key)
    typed_sign = raw.str.contains("[%％]")
    formatted = pl.col(ROW).is_in(list(percent_rows)) if percent_rows else pl.lit(False)
    as_shown = pl.format("{}%", value.round(10))
    shown = pl.when(typed_sign).then(raw.str.strip_chars()).otherwise(as_shown)
    return CellCheck(
        "N003", column, value.is_not_null() & (typed_sign | formatted), shown, found=value
    )


def _bounds(column: Column) -> pl.Expr | None:
    value = pl.col(column.key)
    out: pl.Expr | None = None
    if column.minimum is not None and column.minimum > 0:
        out = value < float(column.minimum)
    if column.maximum is not None:
        above = value > float(column.maximum)
        out = above if out is None else out | above
    return out


def _finite(text: pl.Expr) -> pl.Expr:
    """The number a text spells; "nan", "inf" and numbers too large for a float are not."""
    number = text.cast(pl.Float64, strict=False)
    return pl.when(number.is_finite()).then(number)


def _typed(text: pl.Expr, column: Column) -> tuple[pl.Expr, str]:
    """The typed expression of a normalised column and the rule a cell breaks if it fails."""
    match column.type:
        case T.AMOUNT | T.COUNT | T.DECIMAL:
            return _finite(text), "V002"
        case T.RATE:
            return _finite(text.str.strip_suffix("%")), "V002"
        case T.DATE:
            return _date(text), "V008"
        case T.CHOICE:
            return _choice(text, column), "V005"
        case T.FLAG:
            return _choice(text, column) == "Y", "V005"
        case T.CREDIT_CODE:
            return pl.when(credit_code_valid(text)).then(text), "V006"
        case T.DIVISION:
            return pl.when(text.str.contains(r"^\d{6}$")).then(text), "V007"
        case T.INDUSTRY:
            return pl.when(text.str.contains(r"^[A-T]\d{2}$")).then(text), "V010"
        case T.PHONE:
            return pl.when(text.str.contains(r"^\d{7,15}$")).then(text), "V010"
        case _:
            return text, ""
