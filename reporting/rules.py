"""Applying a spec's rules to a typed table: repeated keys, reference codes, the spec's own
row rules and the cross-period rules against the last accepted filing.

Each rule is one polars expression over the whole frame; failing rows come back with their
Excel row numbers, counted, with the first few hundred kept as examples.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from reporting.findings import Example, Finding
from reporting.reader import ROW, Table, failed, note_rows
from reporting.sheetscan import listing
from reporting.spec import Blank, ColumnType, Rule, RuleClass

MATCHED = "prev__matched"  # true on rows the last accepted filing has a row for


@dataclass
class Context:
    """What the rules compare with beyond the file itself. A rule needing a parameter that is
    not given (e.g. the assigned list when checking a file offline) is not applied."""

    params: dict[str, Any] = field(default_factory=dict)
    divisions: frozenset[str] | None = None  # known county-level division codes
    filer_kind: str | None = None  # the filing institution's kind, for rules with ``filers``
    previous: pl.DataFrame | None = None  # rows of the last accepted filing it is compared with

    @classmethod
    def defaults(cls, **params: Any) -> "Context":
        base = {"lpr": Decimal("3.0"), "npl_tolerance": Decimal(3), "today": date.today()}
        return cls(params={**base, **params})


class MissingParameter(Exception):
    pass


class Columns:
    """The accessor a rule's check receives: ``c("key")``, ``c.param("name")``, ``c.prev(k)``."""

    def __init__(self, table: Table, rule: Rule, context: Context):
        self.table, self.rule, self.context = table, rule, context

    def __call__(self, key: str) -> pl.Expr:
        expr = pl.col(key)
        numeric = self.table.spec.column(key).is_numeric
        if self.rule.blank == Blank.ZERO and numeric:
            return expr.fill_null(0)
        return expr

    def param(self, name: str) -> Any:
        if name not in self.context.params:
            raise MissingParameter(name)
        value = self.context.params[name]
        if isinstance(value, Decimal):
            return pl.lit(float(value))
        if isinstance(value, list | set | frozenset | tuple):
            return pl.Series(sorted(value), dtype=pl.String).implode()
        return pl.lit(value)

    def prev(self, key: str) -> pl.Expr:
        expr = pl.col(f"prev__{key}")
        return expr.fill_null(0) if self.rule.blank == Blank.ZERO else expr


def apply_rules(table: Table, context: Context) -> list[Finding]:
    """Every finding of the table in report order: errors, warnings, then notes, and within
    each the causes (the file, a cell) before their consequences (rows, plausibility, the
    last return). A rule is not applied to a row where a cell it depends on failed its own
    check; one note per such cell says which rules were left unchecked."""
    check_keys(table)
    check_divisions(table, context.divisions)
    applied = [rule for rule in table.spec.rules if apply_rule(table, rule, context)]
    note_unchecked(table, applied)
    note_not_compared(table)
    table.frame = table.frame.drop(
        [c for c in table.frame.columns if c.startswith("_failed__") or c.startswith("prev__")]
    )
    return sorted(
        (f for f in table.findings.values() if f.count), key=lambda f: f.rule.report_order
    )


def _failed_in(table: Table, keys: tuple[str, ...]) -> list[str]:
    return [failed(k) for k in keys if failed(k) in table.frame.columns]


def note_unchecked(table: Table, applied: list[Rule]) -> None:
    """N001, once per failed cell: the rules that were not checked because they use it."""
    for column in table.spec.columns:
        mark = failed(column.key)
        if mark not in table.frame.columns:
            continue
        codes = ", ".join(r.code for r in applied if column.key in r.columns)
        if codes:
            note_rows(
                table,
                table.finding("N001"),
                pl.col(mark),
                column,
                pl.col(column.key),
                params=_quoting(codes),
            )


def _quoting(codes: str) -> Callable[[dict], dict]:
    return lambda _: {"rules": codes}


def note_not_compared(table: Table) -> None:
    """N002, once: the rows the cross-period rules skipped, having no earlier figure."""
    if MATCHED not in table.frame.columns:
        return
    key = table.spec.key[0]
    skipped = table.frame.filter(pl.col(MATCHED).is_null())
    if skipped.height:
        names = [str(v) for v in skipped[key].head(5).to_list()]
        finding = table.finding("N002")
        finding.add(
            Example(sheet=table.spec.sheet, params={"detail": listing(names, skipped.height)})
        )
        finding.count = skipped.height


def check_keys(table: Table) -> None:
    key = list(table.spec.key)
    if not key:
        return
    table.frame = table.frame.with_columns(pl.col(ROW).min().over(key).alias("_first"))
    column = table.spec.column(key[0])
    present = pl.all_horizontal(pl.col(k).is_not_null() for k in key)
    note_rows(
        table,
        table.finding("V011"),
        present & (pl.col(ROW) != pl.col("_first")),
        column,
        pl.col(key[0]),
        params=lambda hit: {"found": hit["_first"]},
        extra=(pl.col("_first"),),
    )
    table.frame = table.frame.drop("_first")


def check_divisions(table: Table, divisions: frozenset[str] | None) -> None:
    if divisions is None:
        return
    known = pl.Series(sorted(divisions), dtype=pl.String).implode()
    for column in table.spec.columns:
        if column.type == ColumnType.DIVISION:
            value = pl.col(column.key)
            unknown = value.is_not_null() & ~value.is_in(known)
            table.note("V007", unknown, column, value)
            mark = failed(column.key)
            earlier = pl.col(mark) if mark in table.frame.columns else pl.lit(False)
            table.frame = table.frame.with_columns((earlier | unknown.fill_null(False)).alias(mark))


def apply_rule(table: Table, rule: Rule, context: Context) -> bool:
    """Note the rows that break ``rule``; False if the rule could not be applied (it needs a
    parameter or an earlier return that this check does not have)."""
    if rule.check is None:
        return False
    if rule.filers:
        if context.filer_kind is None:
            return False
        if context.filer_kind not in rule.filers:
            return True  # checked: it asks nothing of this filer
    if rule.rule_class == RuleClass.CROSS_PERIOD:
        if context.previous is None:
            return False
        _join_previous(table, rule, context.previous)
    try:
        passes = rule.check(Columns(table, rule, context))
    except MissingParameter:
        return False
    columns = [pl.col(k) for k in rule.columns]
    breach = ~passes.fill_null(rule.blank != Blank.FAILS)
    for mark in _failed_in(table, (*rule.columns, *table.spec.key)):
        breach = breach & ~pl.col(mark)
    if rule.previous:
        breach = breach & pl.col(MATCHED).is_not_null()
    first = table.spec.column(rule.columns[0]) if rule.columns else None
    params = _params(rule, context)
    extra = tuple(pl.col(f"prev__{k}").alias("expected") for k in rule.previous.values())[:1]
    note_rows(
        table,
        table.finding_for(rule),
        breach,
        first,
        columns[0] if columns else pl.lit(""),
        params=lambda hit: {**params, **({"expected": hit["expected"]} if extra else {})},
        extra=extra,
    )
    return True


def _params(rule: Rule, context: Context) -> dict[str, Any]:
    """The parameter a rule's message quotes as {limit}, e.g. the LPR or the NPL tolerance."""
    if rule.limit_param and rule.limit_param in context.params:
        return {"limit": str(context.params[rule.limit_param])}
    return {}


def _join_previous(table: Table, rule: Rule, previous: pl.DataFrame) -> None:
    needed = [k for k in rule.previous.values() if f"prev__{k}" not in table.frame.columns]
    if not needed:
        return
    key = list(table.spec.key)
    marker = [] if MATCHED in table.frame.columns else [pl.lit(True).alias(MATCHED)]
    prev = previous.select(*key, *(pl.col(k).alias(f"prev__{k}") for k in needed), *marker)
    table.frame = table.frame.join(prev, on=key, how="left", nulls_equal=False)
