"""The vocabulary of return specs: columns, rules and the spec itself.

A spec is declarative data (see ``reporting/specs/``). The same objects drive the Excel
template, the reader, the validator, the API serializer and the documentation page, so a
column label or a rule message is written exactly once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

import polars as pl


class ColumnType(StrEnum):
    TEXT = "text"
    AMOUNT = "amount"  # 10,000 CNY, two decimals
    COUNT = "count"  # whole number, not negative
    RATE = "rate"  # percent per year: 3.85 means 3.85%
    DECIMAL = "decimal"
    DATE = "date"
    CHOICE = "choice"
    FLAG = "flag"  # yes / no
    CREDIT_CODE = "credit_code"
    DIVISION = "division"  # six-digit administrative division code
    INDUSTRY = "industry"  # GB/T 4754 section letter and two digits, e.g. C13
    PHONE = "phone"


NUMERIC_TYPES = frozenset(
    {ColumnType.AMOUNT, ColumnType.COUNT, ColumnType.RATE, ColumnType.DECIMAL}
)


UNIT_EN = {
    "万元": "10,000 CNY",
    "%": "% a year",
    "户": "borrowers",
    "件": "items",
    "天": "days",
    "月": "months",
}
# The template's layout, shared by the template writer and the reader.
HEADER_ROWS = 2  # row 1 Chinese headings, row 2 English headings, data from row 3
META_SHEET = "_spec"  # hidden sheet naming the spec and version
INSTRUCTIONS_SHEET = "填报说明 Instructions"


class PeriodKind(StrEnum):
    QUARTER = "quarter"
    YEAR = "year"
    TASK = "task"  # requested by a screening task, not by the calendar


class FilerKind(StrEnum):
    BANK = "bank"
    INSURER = "insurer"
    OFFICE = "office"


class RuleClass(StrEnum):
    SYNTAX = "syntax"  # the file or the template itself
    VALIDITY = "validity"  # one cell or one row
    QUALITY = "quality"  # plausibility the filer confirms with a reason
    CROSS_PERIOD = "cross_period"  # against the last accepted filing


class Severity(StrEnum):
    ERROR = "error"  # blocks the filing
    WARNING = "warning"  # needs a confirmation by the approver
    NOTE = "note"  # tells the filer what the reader did; neither blocks nor needs confirming


class Blank(StrEnum):
    """How a rule treats a blank cell among its columns."""

    PASSES = "passes"  # the rule is not applied to a row with a blank in its columns
    FAILS = "fails"  # a blank is a breach of the rule
    ZERO = "zero"  # blank numbers count as 0


@dataclass(frozen=True)
class Choice:
    value: str
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class Column:
    key: str
    label_zh: str
    label_en: str
    type: ColumnType
    unit: str = ""
    required: bool = True
    choices: tuple[Choice, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    personal: bool = False  # personal data: masked in lists, shown in full only to its filer
    note_zh: str = ""
    note_en: str = ""
    # The article of a notice that asks for the figure, e.g. "2023年通知（七）".
    source_zh: str = ""
    source_en: str = ""

    @property
    def notes_zh(self) -> str:
        """The note and the source article, as the template and the documentation show them."""
        source = f"依据：{self.source_zh}" if self.source_zh else ""
        return " ".join(n for n in (self.note_zh, source) if n)

    @property
    def notes_en(self) -> str:
        source = f"Source: {self.source_en}" if self.source_en else ""
        return " ".join(n for n in (self.note_en, source) if n)

    @property
    def heading_zh(self) -> str:
        """The Chinese header cell of the template (row 1), unit included."""
        return f"{self.label_zh}（{self.unit}）" if self.unit else self.label_zh

    @property
    def heading_en(self) -> str:
        """The English header cell of the template (row 2), unit included."""
        return (
            f"{self.label_en} ({UNIT_EN.get(self.unit, self.unit)})" if self.unit else self.label_en
        )

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    def choice_label(self, value: str, lang: str = "zh") -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label_zh if lang == "zh" else choice.label_en
        return value


class ColumnAccessor(Protocol):
    """What a row check receives (``reporting.rules.Columns``): ``c("key")`` for a column,
    ``c.param("name")`` for a context parameter, ``c.prev("key")`` for the previous filing's."""

    def __call__(self, key: str) -> pl.Expr: ...
    def param(self, name: str) -> Any: ...
    def prev(self, key: str) -> pl.Expr: ...


# A row check is a function of a column accessor returning a boolean polars expression
# that is true where the row passes. Specs stay data; polars does the looping.
RowCheck = Callable[[ColumnAccessor], pl.Expr]


@dataclass(frozen=True)
class Rule:
    code: str
    rule_class: RuleClass
    severity: Severity
    message_zh: str
    message_en: str
    hint_zh: str = ""
    hint_en: str = ""
    columns: tuple[str, ...] = ()
    check: RowCheck | None = None
    blank: Blank = Blank.PASSES
    # Cross-period rules name the column of the previous accepted filing they compare with.
    previous: dict[str, str] = field(default_factory=dict)
    limit_param: str = ""  # the context parameter the message quotes as {limit}
    # The filers it applies to, by institution kind (``InstitutionKind`` values), for what the
    # rows cannot show, e.g. that a national bank breaks its plan down by region; empty: every
    # filer. Checked without a known filer (a file checked offline), it is not applied.
    filers: frozenset[str] = frozenset()
    # What a placeholder reads, as (name, zh, en), in a finding stored before the rule's
    # message used it: old reports must still read as sentences.
    fallback: tuple[tuple[str, str, str], ...] = ()

    @property
    def blocks(self) -> bool:
        return self.severity == Severity.ERROR

    @property
    def needs_confirmation(self) -> bool:
        return self.severity == Severity.WARNING

    @property
    def stage(self) -> int:
        """Where the rule stands between cause and consequence: the file itself (0), one cell
        as its column declares it (1), a row or several rows (2), plausibility (3), the last
        accepted return (4), and notes on how the file was read (5). The report lists findings
        in this order, so that a cause comes before what follows from it."""
        if self.severity == Severity.NOTE:
            return 5
        return {
            RuleClass.SYNTAX: 0,
            RuleClass.VALIDITY: 1 if self.check is None else 2,
            RuleClass.QUALITY: 3,
            RuleClass.CROSS_PERIOD: 4,
        }[self.rule_class]

    @property
    def report_order(self) -> tuple[int, int, str]:
        """Errors, then warnings, then notes; within each, causes before consequences."""
        severity = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}[self.severity]
        return severity, self.stage, self.code

    def message(self, lang: str = "zh") -> str:
        return self.message_zh if lang == "zh" else self.message_en

    def hint(self, lang: str = "zh") -> str:
        return self.hint_zh if lang == "zh" else self.hint_en

    def __hash__(self) -> int:
        return hash(self.code)


@dataclass(frozen=True)
class ReturnSpec:
    code: str
    version: str
    title_zh: str
    title_en: str
    period_kind: PeriodKind
    filer: FilerKind
    sheet: str  # name of the data sheet
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...] = ()
    key: tuple[str, ...] = ()  # columns that identify a row; repeated keys are an error
    description_zh: str = ""
    description_en: str = ""
    supersedes: str | None = None  # the version this one replaces
    # Cross-period rules compare with the accepted filing of this period offset, e.g. the
    # last Q4 for start-of-year values.
    effective_from: str = ""  # first period this version is for, e.g. "2025Q1"

    @property
    def ident(self) -> str:
        return f"{self.code}@{self.version}"

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    @property
    def label_columns(self) -> tuple[str, ...]:
        """The columns that say what a row is about (the key and the first column, if not
        numbers): where a totals row writes 合计 or Total instead."""
        keys = dict.fromkeys((*self.key, self.columns[0].key))
        return tuple(k for k in keys if not self.column(k).is_numeric)

    @property
    def column_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else self.title_en
