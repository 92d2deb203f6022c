"""Column and rule shorthands shared by the specs, so that each spec reads as a table."""

from dataclasses import replace
from decimal import Decimal

from reporting.spec import Blank, Choice, Column, ColumnType, Rule, RuleClass, Severity

T = ColumnType
ZERO = Decimal(0)


def amount(key: str, zh: str, en: str, required: bool = True) -> Column:
    return Column(key, zh, en, T.AMOUNT, unit="万元", required=required, minimum=ZERO)


def count(key: str, zh: str, en: str, unit: str = "户", required: bool = True) -> Column:
    return Column(key, zh, en, T.COUNT, unit=unit, required=required, minimum=ZERO)


def rate(key: str, zh: str, en: str, required: bool = True) -> Column:
    return Column(
        key, zh, en, T.RATE, unit="%", required=required, minimum=ZERO, maximum=Decimal(36)
    )


def cited(column: Column, zh: str, en: str) -> Column:
    """The column with the article of the notice that asks for it."""
    return replace(column, source_zh=zh, source_en=en)


def choices(*items: tuple[str, str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(*item) for item in items)


YES_NO = choices(("Y", "是", "yes"), ("N", "否", "no"))


def not_above(
    code: str, part: str, whole: str, part_zh: str, part_en: str, whole_zh: str, whole_en: str
) -> Rule:
    """Row rule: one amount is part of another and so cannot exceed it."""
    return Rule(
        code,
        RuleClass.VALIDITY,
        Severity.ERROR,
        f"{part_zh}不能大于{whole_zh}。",
        f"{part_en} cannot exceed {whole_en}.",
        f"{part_zh}是{whole_zh}的一部分；请核对两项的口径和单位（万元）。",
        f"{part_en} is part of {whole_en}; check both figures and their unit (10,000 CNY).",
        columns=(part, whole),
        check=lambda c: c(part) <= c(whole),
    )


def both_or_neither(code: str, amount_key: str, count_key: str, zh: str, en: str) -> Rule:
    """Row rule: an amount with no count (or a count with no amount) is a contradiction."""
    return Rule(
        code,
        RuleClass.VALIDITY,
        Severity.ERROR,
        f"{zh}：有余额无户数，或有户数无余额。",
        f"{en}: a balance without a count, or a count without a balance.",
        "两项应同时为零或同时大于零。",
        "Both are zero, or both are above zero.",
        columns=(amount_key, count_key),
        check=lambda c: (c(amount_key) > 0) == (c(count_key) > 0),
        blank=Blank.ZERO,
    )
