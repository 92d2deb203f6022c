"""The documentation of a return spec, as tables: the spec's facts, its columns and every
rule a filing meets. The documentation page and the template's instructions sheet both
show these, so each label is written once here, in both languages."""

from dataclasses import dataclass
from decimal import Decimal

from openpyxl.utils import get_column_letter

from reporting.rulebook import CELL_RULES, NOTE_RULES, OUTLIER_RULES, SYNTAX_RULES
from reporting.spec import (
    UNIT_EN,
    Blank,
    Choice,
    Column,
    ColumnType,
    FilerKind,
    PeriodKind,
    ReturnSpec,
    Rule,
    RuleClass,
    Severity,
)

T = ColumnType

# Vocabulary shown in documents, (Chinese, English). Exports carry both languages whatever
# the reader's setting, so these are data rather than gettext strings.
CLASS_LABELS = {
    RuleClass.SYNTAX: ("格式", "syntax"),
    RuleClass.VALIDITY: ("有效性", "validity"),
    RuleClass.QUALITY: ("数据质量", "quality"),
    RuleClass.CROSS_PERIOD: ("跨期", "cross-period"),
}
SEVERITY_LABELS = {
    Severity.ERROR: ("错误", "error"),
    Severity.WARNING: ("警告", "warning"),
    Severity.NOTE: ("说明", "note"),
}
TYPE_LABELS = {
    T.TEXT: ("文本", "text"),
    T.AMOUNT: ("金额", "amount"),
    T.COUNT: ("整数", "whole number"),
    T.RATE: ("利率（年化百分数）", "rate (percent a year)"),
    T.DECIMAL: ("数值", "number"),
    T.DATE: ("日期", "date"),
    T.CHOICE: ("选项", "choice"),
    T.FLAG: ("是/否", "yes/no"),
    T.CREDIT_CODE: ("统一社会信用代码", "unified social credit code"),
    T.DIVISION: ("行政区划代码", "division code"),
    T.INDUSTRY: ("行业代码", "industry code"),
    T.PHONE: ("电话号码", "phone number"),
}
PERIOD_LABELS = {
    PeriodKind.QUARTER: ("按季", "quarterly"),
    PeriodKind.YEAR: ("按年", "yearly"),
    PeriodKind.TASK: ("按筛选任务", "per screening task"),
}
FILER_LABELS = {
    FilerKind.BANK: ("银行", "bank"),
    FilerKind.INSURER: ("保险公司", "insurer"),
    FilerKind.OFFICE: ("监管部门", "supervisory office"),
}
BLANK_LABELS = {
    Blank.PASSES: ("空白单元格不适用本规则", "A blank cell is not checked by this rule"),
    Blank.FAILS: ("空白视为不符合本规则", "A blank cell breaks this rule"),
    Blank.ZERO: ("空白数值按 0 计", "Blank numbers count as 0"),
}
WHOLE_FILE = ("整个文件", "the whole file")
YES_NO_LABELS = (("是", "yes"), ("否", "no"))

# Which columns each generic cell rule applies to, from the column's declaration.
IMPLIED_CELL_RULES = {
    "V001": lambda spec, c: c.required,
    "V002": lambda spec, c: c.is_numeric,
    "V003": lambda spec, c: c.is_numeric and c.minimum is not None and c.minimum >= 0,
    "V004": lambda spec, c: c.type == T.COUNT,
    "V005": lambda spec, c: c.type in (T.CHOICE, T.FLAG),
    "V006": lambda spec, c: c.type == T.CREDIT_CODE,
    "V007": lambda spec, c: c.type == T.DIVISION,
    "V008": lambda spec, c: c.type == T.DATE,
    # "Not negative" is V003's; V009 covers the bounds beyond it.
    "V009": lambda spec, c: c.maximum is not None or (c.minimum is not None and c.minimum > 0),
    "V010": lambda spec, c: c.type in (T.INDUSTRY, T.PHONE),
    "V011": lambda spec, c: c.key in spec.key,
    "V012": lambda spec, c: c.type == T.CREDIT_CODE,
    "V013": lambda spec, c: c.type == T.CREDIT_CODE,
    "V014": lambda spec, c: c.key in spec.label_columns,
    "N003": lambda spec, c: c.type == T.RATE,
}
# Notes about the whole file, and the specs they can appear in.
FILE_NOTES = {
    "N001": lambda spec: any(rule.columns for rule in spec.rules),
    "N002": lambda spec: any(r.rule_class == RuleClass.CROSS_PERIOD for r in spec.rules),
}


def lang_of(language_code: str) -> str:
    """'zh' or 'en' for a Django language code such as 'zh-hans'."""
    return "zh" if language_code.lower().startswith("zh") else "en"


def pick(pair: tuple[str, str], lang: str) -> str:
    """The Chinese or English half of a (zh, en) label."""
    return pair[0] if lang == "zh" else pair[1]


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def bounds_text(column: Column) -> str:
    low, high = column.minimum, column.maximum
    if low is not None and high is not None:
        return f"{_number(low)} – {_number(high)}"
    if low is not None:
        return f"≥ {_number(low)}"
    if high is not None:
        return f"≤ {_number(high)}"
    return ""


@dataclass(frozen=True)
class SpecDoc:
    spec: ReturnSpec
    period_zh: str
    period_en: str
    filer_zh: str
    filer_en: str
    units_zh: str
    units_en: str


def spec_doc(spec: ReturnSpec) -> SpecDoc:
    units = list(dict.fromkeys(c.unit for c in spec.columns if c.unit))
    return SpecDoc(
        spec,
        *PERIOD_LABELS[spec.period_kind],
        *FILER_LABELS[spec.filer],
        units_zh="；".join(f"{u}（{UNIT_EN.get(u, u)}）" for u in units),
        units_en="; ".join(f"{UNIT_EN.get(u, u)} ({u})" for u in units),
    )


@dataclass(frozen=True)
class ColumnDoc:
    column: Column
    letter: str
    type_zh: str
    type_en: str
    unit_en: str
    bounds: str
    choices: tuple[Choice, ...]

    @property
    def choices_text(self) -> str:
        return "\n".join(f"{c.value}: {c.label_zh} / {c.label_en}" for c in self.choices)


def column_docs(spec: ReturnSpec) -> list[ColumnDoc]:
    return [
        ColumnDoc(
            column,
            get_column_letter(index),
            *TYPE_LABELS[column.type],
            unit_en=UNIT_EN.get(column.unit, column.unit),
            bounds=bounds_text(column),
            choices=column.choices,
        )
        for index, column in enumerate(spec.columns, start=1)
    ]


@dataclass(frozen=True)
class RuleDoc:
    rule: Rule
    columns: tuple[Column, ...]  # empty: the rule is about the whole file
    class_zh: str
    class_en: str
    severity_zh: str
    severity_en: str
    blank_zh: str
    blank_en: str

    @property
    def anchor(self) -> str:
        return f"rule-{self.rule.code}"

    @property
    def applies_zh(self) -> str:
        return "、".join(c.heading_zh for c in self.columns) or WHOLE_FILE[0]

    @property
    def applies_en(self) -> str:
        return "; ".join(c.heading_en for c in self.columns) or WHOLE_FILE[1]


def _rule_doc(rule: Rule, columns: tuple[Column, ...]) -> RuleDoc:
    blank = ("—", "—") if rule.rule_class == RuleClass.SYNTAX else BLANK_LABELS[rule.blank]
    return RuleDoc(
        rule,
        columns,
        *CLASS_LABELS[rule.rule_class],
        *SEVERITY_LABELS[rule.severity],
        *blank,
    )


def rule_docs(spec: ReturnSpec) -> list[RuleDoc]:
    """Every rule a filing of this spec meets: the file's syntax rules, the cell rules its
    column types imply, then the spec's own rules."""
    docs = [_rule_doc(rule, ()) for rule in SYNTAX_RULES]
    for rule in (*CELL_RULES, *NOTE_RULES):
        applies = IMPLIED_CELL_RULES.get(rule.code)
        columns = tuple(c for c in spec.columns if applies and applies(spec, c))
        if columns:
            docs.append(_rule_doc(rule, columns))
        elif rule.code in FILE_NOTES and FILE_NOTES[rule.code](spec):
            docs.append(_rule_doc(rule, ()))
    docs.extend(_outlier_docs(spec))
    docs.extend(_rule_doc(rule, tuple(spec.column(k) for k in rule.columns)) for rule in spec.rules)
    return docs


def _outlier_docs(spec: ReturnSpec) -> list[RuleDoc]:
    """The outlier warnings of a quarterly return (``reporting/outliers.py``): every figure
    against the filer's own quarters, rates and days against its peers too."""
    if spec.period_kind != PeriodKind.QUARTER or not spec.key:
        return []
    scale_free = (T.RATE, T.DECIMAL)
    applies = {
        "Q301": lambda c: c.is_numeric,
        "Q302": lambda c: c.is_numeric and c.type in scale_free,
    }
    docs = []
    for rule in OUTLIER_RULES:
        columns = tuple(c for c in spec.columns if applies[rule.code](c))
        if columns:
            docs.append(_rule_doc(rule, columns))
    return docs
