"""Realistic synthetic returns, for the demo, the tests and the benchmarks: values drawn per
column type (vectorised, so a million rows take seconds), optionally with known defects,
written into the spec's own template."""

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from openpyxl.utils import get_column_letter

from reporting.codechecks import credit_check_character, org_check_character
from reporting.safety import inspect_workbook
from reporting.spec import HEADER_ROWS, Column, ColumnType, ReturnSpec, RuleClass
from reporting.workbooks import build_template

T = ColumnType
DEFAULT_COUNTIES = (
    "350102",
    "350103",
    "350104",
    "350105",
    "350111",
    "350112",
    "350121",
    "350122",
    "350123",
    "350124",
    "350125",
    "350128",
    "350181",
    "350182",
    "350203",
    "350205",
    "350206",
    "350211",
    "350212",
    "350213",
    "350302",
    "350303",
    "350304",
    "350305",
)


def _draw(n: int, seed: int, salt: int, modulo: int) -> pl.Expr:
    """Uniform integers in [0, modulo), reproducible for (seed, salt)."""
    return (pl.int_range(n, dtype=pl.UInt64).hash(seed * 1_000_003 + salt) % modulo).cast(pl.Int64)


def _credit_codes(n: int, seed: int, salt: int) -> pl.Expr:
    """Valid, distinct enterprise credit codes: 91, a Fujian division, an organisation code
    with its own check character, and the final check character."""
    serial = pl.int_range(n, dtype=pl.Int64) + _draw(1, seed, salt, 10**6).first() * 10**7
    org8 = serial.cast(pl.String).str.zfill(8).str.slice(-8)
    body = pl.concat_str(pl.lit("91350100"), org8, org_check_character(org8))
    return pl.concat_str(body, credit_check_character(body))


def _column(
    column: Column, n: int, seed: int, salt: int, counties: tuple[str, ...], is_key: bool
) -> pl.Expr:
    # A key column takes its values in turn, so that keys never repeat.
    draw = pl.int_range(n, dtype=pl.Int64) if is_key else _draw(n, seed, salt, 1_000_000)
    match column.type:
        case T.AMOUNT:
            return (draw * 37 % 5_000_000 / 100 + 10).round(2)
        case T.COUNT:
            return draw % int(column.maximum or 400) + 1
        case T.RATE:
            return (draw % 300 / 100 + 2.8).round(2)
        case T.DECIMAL:
            return (draw % 2000 / 100 + 1).round(2)
        case T.DATE:
            return (
                pl.lit("2025-")
                + (draw % 9 + 1).cast(pl.String).str.zfill(2)
                + "-"
                + (draw % 28 + 1).cast(pl.String).str.zfill(2)
            )
        case T.CHOICE | T.FLAG:
            return _pick(draw, pl.Series([c.label_zh for c in column.choices]))
        case T.CREDIT_CODE:
            return _credit_codes(n, seed, salt)
        case T.DIVISION:
            return _pick(draw, pl.Series(counties))
        case T.INDUSTRY:
            return _pick(draw, pl.Series(["C13", "C39", "F51", "H61", "I65", "A01", "E47"]))
        case T.PHONE:
            return pl.lit("1385") + (draw * 7919 % 10_000_000).cast(pl.String).str.zfill(7)
        case _:
            return pl.lit("示例企业") + draw.cast(pl.String)


def _pick(draw: pl.Expr, values: pl.Series) -> pl.Expr:
    mapping = dict(enumerate(values.to_list()))
    return (draw % len(values)).replace_strict(mapping, return_dtype=pl.String)


class TooManyRows(ValueError):
    """More rows asked for than the spec's key allows (one per county, product line...)."""


def most_rows(spec: ReturnSpec, counties: tuple[str, ...]) -> int | None:
    """How many rows the spec allows with these counties: one per county or product line
    for a spec keyed by them; ``None`` (no limit) for a spec keyed by credit code."""
    limits = [
        len(column.choices) or len(counties)
        for column in (spec.column(k) for k in spec.key)
        if column.type != T.CREDIT_CODE
    ]
    return min(limits) if limits else None


def synthetic_frame(
    spec: ReturnSpec,
    rows: int,
    *,
    seed: int = 1,
    counties: tuple[str, ...] = DEFAULT_COUNTIES,
    previous: pl.DataFrame | None = None,
    credit_codes: tuple[str, ...] | None = None,
) -> pl.DataFrame:
    """``rows`` rows that pass the spec's rules. A spec keyed by county or product line gets
    one row per county or line (``TooManyRows`` beyond that); ``credit_codes``, if given, are
    the enterprises a keyed-by-credit-code return answers for. ``previous`` (the filer's last
    accepted year-end rows) gives the start-of-year figures of its counties; a county it does
    not have starts the year at zero."""
    limit = most_rows(spec, counties)
    if credit_codes is not None:
        limit = min(limit or len(credit_codes), len(credit_codes))
    if limit is not None and rows > limit:
        raise TooManyRows(f"{spec.ident} allows at most {limit} rows here; {rows} asked for")
    frame = pl.select(
        *(
            _column(c, rows, seed, i, counties, c.key in spec.key).alias(c.key)
            for i, c in enumerate(spec.columns)
        )
    )
    if credit_codes is not None:
        key = next(k for k in spec.key if spec.column(k).type == T.CREDIT_CODE)
        frame = frame.with_columns(pl.Series(key, credit_codes[:rows], dtype=pl.String))
    frame = consistent(spec, frame)
    return _carried_forward(spec, frame, previous) if previous is not None else frame


def _carried_forward(spec: ReturnSpec, frame: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame:
    """Start-of-year figures equal to the previous year-end's (zero for a county new this
    year), and this period's figures grown a little from them, parts following the whole."""
    pairs = {
        start: end
        for rule in spec.rules
        if rule.rule_class == RuleClass.CROSS_PERIOD
        for start, end in rule.previous.items()
    }
    if not pairs or not spec.key:
        return frame
    key = list(spec.key)
    ends = sorted(set(pairs.values()))
    prev = previous.select(*key, *(pl.col(e).cast(pl.Float64).alias(f"_prev_{e}") for e in ends))
    frame = frame.join(prev, on=key, how="left", maintain_order="left")
    grown = []
    for start, end in pairs.items():
        before = pl.col(f"_prev_{end}")
        count = spec.column(end).type == T.COUNT
        growth = (before + before // 20 + 1) if count else (before * 1.05).round(2)
        grown += [
            before.fill_null(0).cast(frame.schema[start]).alias(start),
            pl.when(before > 0)
            .then(growth)
            .otherwise(pl.col(end))
            .cast(frame.schema[end])
            .alias(end),
        ]
    frame = frame.with_columns(grown).drop([f"_prev_{e}" for e in ends])
    return consistent(spec, frame, keep=set(pairs) | set(pairs.values()))


def consistent(
    spec: ReturnSpec, frame: pl.DataFrame, keep: frozenset | set = frozenset()
) -> pl.DataFrame:
    """Make the row rules hold: parts not above wholes, counts with balances, and so on;
    columns in ``keep`` are left as they are."""
    keys = set(spec.column_keys)
    fixes: list[pl.Expr] = []
    if {"sme_balance", "all_balance"} <= keys:
        sme = pl.col("sme_balance")
        fixes = [
            (sme * 3).round(2).alias("all_balance"),
            (sme * 0.9).round(2).alias("sme_balance_start"),
            (sme * 2.9).round(2).alias("all_balance_start"),
            *(
                (sme * share).round(2).alias(k)
                for k, share in (
                    ("credit_balance", 0.3),
                    ("long_term_balance", 0.2),
                    ("renewal_balance", 0.1),
                    ("sme_npl", 0.01),
                    ("all_npl", 0.02),
                    ("individual_balance", 0.25),
                    ("issued_ytd", 0.8),
                    ("foreign_trade_balance", 0.05),
                    ("technology_balance", 0.1),
                    ("manufacturing_long_term", 0.08),
                    ("consumption_balance", 0.06),
                    ("private_balance", 0.4),
                    ("hard_hit_balance", 0.2),
                    ("specialised_balance", 0.05),
                    ("green_balance", 0.07),
                    ("agri_balance", 0.15),
                    ("large_credit_balance", 0.5),
                    ("fees_ytd", 0.0016),
                    ("npl_write_off_ytd", 0.003),
                )
                if k in keys
            ),
        ]
        if "financing_cost" in keys:  # the interest and the fees: not below the rate
            fixes.append((pl.col("issued_rate") + 0.4).round(2).alias("financing_cost"))
    if {"claims_paid", "claims"} <= keys:
        fixes = [
            (pl.col("premiums") * 40).alias("sum_insured"),
            (pl.col("premiums") * 0.4).round(2).alias("claims_paid"),
            (pl.col("policies") // 3).alias("individual_policies"),
            (pl.col("premiums") * 0.3).round(2).alias("individual_premiums"),
            (pl.col("settle_days") % 25).alias("settle_days"),
        ]
    if "decision" in keys:
        granted = pl.col("decision") == "已授信"
        fixes = [
            pl.when(granted).then(pl.col("credit_amount")).alias("credit_amount"),
            pl.when(granted).then(pl.col("credit_amount") * 0.8).round(2).alias("loan_amount"),
            pl.when(pl.col("decision") == "不予授信")
            .then(pl.lit("信用记录不良"))
            .alias("decline_reason"),
        ]
    if "compliant" in keys:
        fixes = [
            pl.lit("是").alias(k)
            for k in ("compliant", "premises", "genuine_need", "good_credit", "lawful_purpose")
        ]
    fixes = [fix for fix in fixes if fix.meta.output_name() not in keep]
    return frame.with_columns(fixes) if fixes else frame


@dataclass(frozen=True)
class Defect:
    row: int  # the Excel row number
    column: str
    value: str
    rule: str


def _cell_xml(column: Column, letter: str, numeric: bool) -> pl.Expr:
    value = pl.col(column.key)
    if numeric:
        number = pl.concat_str(
            pl.lit(f'<c r="{letter}'),
            pl.col("_r"),
            pl.lit('"><v>'),
            value.cast(pl.String),
            pl.lit("</v></c>"),
        )
        return pl.when(value.is_not_null()).then(number).otherwise(pl.lit(""))
    text = value.cast(pl.String).str.replace_all("&", "&amp;").str.replace_all("<", "&lt;")
    cell = pl.concat_str(
        pl.lit(f'<c r="{letter}'),
        pl.col("_r"),
        pl.lit('" t="inlineStr"><is><t>'),
        text,
        pl.lit("</t></is></c>"),
    )
    return pl.when(value.is_not_null()).then(cell).otherwise(pl.lit(""))


def write_return(spec: ReturnSpec, frame: pl.DataFrame, out: Path, chunk: int = 50_000) -> None:
    """Write ``frame`` into the spec's template as its data rows, streaming the sheet XML."""

    template = out.with_suffix(".template.xlsx")
    template.write_bytes(build_template(spec))
    sheet_part = _sheet_part(template, spec.sheet)
    with (
        zipfile.ZipFile(template) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
    ):
        for item in src.infolist():
            if item.filename != sheet_part:
                dst.writestr(item, src.read(item.filename))
                continue
            xml = src.read(item.filename).decode()
            head, rest = xml.split("<sheetData>", 1) if "<sheetData>" in xml else (xml, "")
            headers, tail = rest.split("</sheetData>", 1)
            last = get_column_letter(len(spec.columns))
            head = re.sub(
                r'<dimension ref="[^"]*"/>',
                f'<dimension ref="A1:{last}{frame.height + HEADER_ROWS}"/>',
                head,
            )
            numeric_types = frame.schema
            with dst.open(sheet_part, "w", force_zip64=True) as sheet:
                sheet.write((head + "<sheetData>" + headers).encode())
                for start in range(0, frame.height, chunk):
                    part = frame.slice(start, chunk).with_columns(
                        (pl.int_range(pl.len()) + start + HEADER_ROWS + 1)
                        .cast(pl.String)
                        .alias("_r")
                    )
                    cells = [
                        _cell_xml(c, get_column_letter(i + 1), numeric_types[c.key].is_numeric())
                        for i, c in enumerate(spec.columns)
                    ]
                    rows = part.select(
                        pl.concat_str(
                            pl.lit('<row r="'), pl.col("_r"), pl.lit('">'), *cells, pl.lit("</row>")
                        ).alias("xml")
                    )
                    sheet.write("".join(rows["xml"].to_list()).encode())
                sheet.write(("</sheetData>" + tail).encode())
    template.unlink()


def _sheet_part(path: Path, sheet: str) -> str:
    return inspect_workbook(path).sheet_parts[sheet]
