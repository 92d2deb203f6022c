"""SME-CREDIT-PLAN: the bank's annual SME credit plan (the 2022 mechanism (10)), filed at the
start of the year: one whole-bank line with the plan and its credit-loan and first-loan sub-plans,
and for a national bank one line per region whose figures add up to the whole bank's."""

import polars as pl

from reporting.spec import (
    Blank,
    Column,
    ColumnType,
    FilerKind,
    PeriodKind,
    ReturnSpec,
    Rule,
    RuleClass,
    Severity,
)
from reporting.specs.columns import amount, choices, cited, not_above

# The whole bank's plan is a commitment of its own, not a sum of rows (the reader drops rows
# labelled as totals): its regional lines must add up to it.
BANK, REGION = "bank", "region"
PLANNED = ("plan_increment", "credit_plan", "first_loan_plan")
# The national banks (全国性银行), by institution kind: they break their plan down by region.
NATIONAL = frozenset({"policy", "large", "joint_stock"})


def _is_bank(c) -> pl.Expr:
    return c("line") == BANK


def _regions_add_up(key: str):
    """Row check on the whole-bank line: with regional lines, their ``key`` adds up to its own."""

    def check(c) -> pl.Expr:
        regions = c(key).filter(c("line") == REGION)
        return ~_is_bank(c) | (regions.len() == 0) | (regions.sum() == c(key))

    return check


SME_CREDIT_PLAN_2025 = ReturnSpec(
    code="SME-CREDIT-PLAN",
    version="2025",
    title_zh="年度小微企业信贷计划",
    title_en="Annual SME credit plan",
    period_kind=PeriodKind.YEAR,
    filer=FilerKind.BANK,
    sheet="信贷计划",
    key=("line", "region"),
    effective_from="2023Q1",
    description_zh="银行年初报送当年普惠型小微企业贷款增量计划，含信用贷款和首贷子计划；"
    "全国性银行另按地区分解，各地区合计等于全行计划。监管评价按已受理的计划评分。",
    description_en="The bank's plan for the year's increase in inclusive SME loans, with its "
    "credit-loan and first-loan sub-plans; a national bank also breaks it down by region, the "
    "regions adding up to the whole bank's plan. The evaluation scores against the accepted "
    "plan.",
    columns=(
        Column(
            "line",
            "计划行次",
            "Plan line (whole bank or one region)",
            ColumnType.CHOICE,
            choices=choices((BANK, "全行计划", "whole bank"), (REGION, "地区分解", "one region")),
        ),
        Column(
            "region",
            "地区代码（分地区行填写）",
            "Region's division code (regional lines)",
            ColumnType.DIVISION,
            required=False,
        ),
        cited(
            amount("plan_increment", "普惠型小微企业贷款增量计划", "Planned SME loan increase"),
            "2022年机制（十）",
            "2022 mechanism (10)",
        ),
        amount("credit_plan", "其中：信用贷款增量计划", "Of which: credit loans"),
        amount("first_loan_plan", "其中：首贷发放计划", "Of which: first loans"),
    ),
    rules=(
        not_above(
            "CP-V101",
            "credit_plan",
            "plan_increment",
            "信用贷款子计划",
            "The credit-loan sub-plan",
            "增量计划",
            "the plan",
        ),
        not_above(
            "CP-V102",
            "first_loan_plan",
            "plan_increment",
            "首贷子计划",
            "The first-loan sub-plan",
            "增量计划",
            "the plan",
        ),
        Rule(
            "CP-V103",
            RuleClass.VALIDITY,
            Severity.ERROR,
            "地区分解行须填写地区代码，全行计划行不填。",
            "A regional line names its region; the whole-bank line names none.",
            "地区分解行填写省级行政区划代码，例如 350000；全行计划行的地区代码留空。",
            "Give a regional line its province's division code, e.g. 350000; leave the "
            "whole-bank line's code empty.",
            columns=("line", "region"),
            check=lambda c: _is_bank(c) == c("region").is_null(),
            blank=Blank.FAILS,
        ),
        Rule(
            "CP-V104",
            RuleClass.VALIDITY,
            Severity.ERROR,
            "须有且仅有一行全行计划。",
            "The plan has exactly one whole-bank line.",
            "第一行填写全行计划；全国性银行再逐行填写各地区分解。",
            "Give the whole-bank plan on one line; a national bank adds one line per region.",
            columns=("line",),
            check=lambda c: _is_bank(c).sum() == 1,
        ),
        *(
            Rule(
                f"CP-V10{5 + i}",
                RuleClass.VALIDITY,
                Severity.ERROR,
                "各地区之和不等于全行计划。",
                "The regions do not add up to the whole bank's plan.",
                "全国性银行按地区分解的计划之和应等于全行计划；请核对各地区行。",
                "A national bank's regional lines add up to its whole-bank plan; check them.",
                columns=(key, "line"),
                check=_regions_add_up(key),
            )
            for i, key in enumerate(PLANNED)
        ),
        Rule(
            "CP-V108",
            RuleClass.VALIDITY,
            Severity.ERROR,
            "全国性银行须按地区分解全行计划。",
            "A national bank breaks its whole-bank plan down by region.",
            "在全行计划行之后逐行填写各地区（省级行政区划代码）的分解计划，各地区之和等于全行计划。",
            "After the whole-bank line, add one line per region (its province's division code); "
            "the regions add up to the whole bank's plan.",
            columns=("line",),
            check=lambda c: ~_is_bank(c) | (c("line") == REGION).any(),
            filers=NATIONAL,
        ),
    ),
)
