"""SME-INSURANCE: the quarterly return of an insurer on its cover for small and micro
enterprises, one row per product line."""

from dataclasses import replace
from decimal import Decimal

from reporting.spec import (
    Column,
    ColumnType,
    FilerKind,
    PeriodKind,
    ReturnSpec,
    Rule,
    RuleClass,
    Severity,
)
from reporting.specs.columns import amount, both_or_neither, choices, cited, count, not_above

PRODUCT_LINES = choices(
    ("property", "企业财产险", "property"),
    ("liability", "责任险", "liability"),
    ("export_credit", "出口信用险", "export credit"),
    ("business_interruption", "营业中断险", "business interruption"),
    ("engineering", "工程险", "engineering"),
    ("cargo", "货运险", "cargo"),
    ("accident", "意外伤害险", "accident"),
    ("health", "健康险", "health"),
    ("term_life", "定期寿险", "term life"),
    ("pension", "养老保险", "pension"),
)

SME_INSURANCE_2025 = ReturnSpec(
    code="SME-INSURANCE",
    version="2025",
    title_zh="小微企业保险服务情况表",
    title_en="SME insurance return",
    period_kind=PeriodKind.QUARTER,
    filer=FilerKind.INSURER,
    sheet="小微保险",
    key=("product_line",),
    effective_from="2023Q1",
    description_zh="保险公司按险种报送服务小微企业的保单、保费、保额、赔付和理赔时效。",
    description_en="Insurers report policies, premiums, cover, claims and settlement time for "
    "small and micro enterprises by product line.",
    columns=(
        Column("product_line", "险种", "Product line", ColumnType.CHOICE, choices=PRODUCT_LINES),
        count("policies", "有效保单件数", "Policies in force", unit="件"),
        amount("premiums", "保费收入", "Premiums"),
        amount("sum_insured", "保险金额", "Sum insured"),
        amount("claims_paid", "赔款支出", "Claims paid"),
        count("claims", "赔付件数", "Claims paid (count)", unit="件"),
        Column(
            "settle_days",
            "平均结案天数",
            "Average days to settle",
            ColumnType.DECIMAL,
            unit="天",
            required=False,
            minimum=Decimal(0),
            maximum=Decimal(3650),
        ),
        count(
            "individual_policies",
            "其中：个体工商户保单件数",
            "Of which: individual-business policies",
            unit="件",
        ),
        amount(
            "individual_premiums", "其中：个体工商户保费", "Of which: individual-business premiums"
        ),
    ),
    rules=(
        both_or_neither("SI-V101", "claims_paid", "claims", "赔付", "Claims"),
        not_above(
            "SI-V102",
            "individual_policies",
            "policies",
            "个体工商户保单件数",
            "Individual-business policies",
            "有效保单件数",
            "policies in force",
        ),
        not_above(
            "SI-V103",
            "individual_premiums",
            "premiums",
            "个体工商户保费",
            "Individual-business premiums",
            "保费收入",
            "premiums",
        ),
        Rule(
            "SI-Q201",
            RuleClass.QUALITY,
            Severity.WARNING,
            "保险金额低于保费收入。",
            "The sum insured is below the premiums.",
            "保险金额通常远高于保费；请核对两列是否填反。",
            "Cover is normally far above premiums; check the two columns are not swapped.",
            columns=("sum_insured", "premiums"),
            check=lambda c: c("sum_insured") >= c("premiums"),
        ),
        Rule(
            "SI-Q202",
            RuleClass.QUALITY,
            Severity.WARNING,
            "平均结案天数 {value} 超过 30 天。",
            "Average settlement takes {value} days, more than 30.",
            "请核对并说明理赔时效偏长的原因。",
            "Check the figure and explain the slow settlement.",
            columns=("settle_days",),
            check=lambda c: c("settle_days") <= 30,
        ),
    ),
)


# -- the revision of 2026: the complete list of product lines and the enterprises insured --
# A revision keeps the 2025 columns in their places and adds its own after them.
PRODUCT_LINES_2025_2 = PRODUCT_LINES + choices(
    ("intellectual_property", "知识产权保险", "intellectual property"),
    ("domestic_trade_credit", "国内贸易信用险", "domestic trade credit"),
    ("employer_liability", "雇主责任险", "employer liability"),
    ("group_life", "团体寿险", "group life"),
)

SME_INSURANCE_2025_2 = replace(
    SME_INSURANCE_2025,
    version="2025.2",
    supersedes="2025",
    effective_from="2025Q1",
    description_zh="2025 年版的修订：险种增加知识产权、国内贸易信用、雇主责任和团体寿险，"
    "并报送承保小微企业户数（出口信用险一行即投保的外贸小微企业户数）。",
    description_en="The 2025 version revised: adds the intellectual property, domestic trade "
    "credit, employer liability and group life lines, and the number of enterprises insured "
    "(on the export credit line: the foreign-trade SMEs covered).",
    columns=(
        replace(SME_INSURANCE_2025.columns[0], choices=PRODUCT_LINES_2025_2),
        *SME_INSURANCE_2025.columns[1:],
        cited(
            count("enterprises", "承保小微企业户数", "SMEs insured"),
            "2023年通知（十四）（十五）；2025年通知（八）",
            "2023 notice (十四)(十五); 2025 notice (VIII)",
        ),
    ),
)
