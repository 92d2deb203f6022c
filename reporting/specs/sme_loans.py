"""SME-LOANS: the quarterly inclusive SME lending return of a bank, one row per county in
which the reporting unit lends. The 2025 version adds the key areas of the 2025 notice."""

from decimal import Decimal
from typing import Any

from reporting.spec import (
    Blank,
    Column,
    ColumnType,
    FilerKind,
    PeriodKind,
    ReturnSpec,
    RowCheck,
    Rule,
    RuleClass,
    Severity,
)
from reporting.specs.columns import amount, both_or_neither, cited, count, not_above, rate

COUNTY = Column(
    "county",
    "县（区）行政区划代码",
    "County division code",
    ColumnType.DIVISION,
    note_zh="贷款投放所在县级行政区划的 6 位代码。",
    note_en="Six-digit code of the county where the loans are made.",
)

CORE_COLUMNS = (
    COUNTY,
    amount("sme_balance", "普惠型小微企业贷款余额", "Inclusive SME loan balance"),
    amount("sme_balance_start", "其中：年初余额", "Inclusive SME loan balance, start of year"),
    amount("all_balance", "各项贷款余额", "All-loan balance"),
    amount("all_balance_start", "各项贷款年初余额", "All-loan balance, start of year"),
    count("borrowers", "普惠型小微企业有贷款余额户数", "SME borrowers with a balance"),
    count("borrowers_start", "年初有贷款余额户数", "SME borrowers, start of year"),
    count("first_time", "当年首贷户数", "First-time borrowers this year"),
    amount("credit_balance", "信用贷款余额", "Credit (unsecured) loan balance"),
    amount("long_term_balance", "中长期贷款余额", "Medium/long-term loan balance"),
    amount("renewal_balance", "无还本续贷余额", "Renewal-without-repayment balance"),
    amount("issued_ytd", "当年累计发放金额", "Amount issued this year"),
    rate("issued_rate", "当年新发放贷款加权平均利率", "Weighted rate of loans issued this year"),
    amount("sme_npl", "普惠型小微企业不良贷款余额", "Inclusive SME NPL balance"),
    amount("all_npl", "各项贷款不良余额", "All-loan NPL balance"),
    amount("individual_balance", "个体工商户经营性贷款余额", "Individual-business loan balance"),
    count("individual_borrowers", "个体工商户贷款户数", "Individual-business borrowers"),
)

NOTICE_2025_KEY_AREAS = ("2025年通知 二（二）", "2025 notice II(II)")
KEY_AREA_COLUMNS = tuple(
    cited(column, *NOTICE_2025_KEY_AREAS)
    for column in (
        amount("foreign_trade_balance", "其中：外贸企业贷款余额", "Of which: foreign-trade firms"),
        amount("technology_balance", "其中：科技型企业贷款余额", "Of which: technology firms"),
        amount(
            "manufacturing_long_term",
            "其中：制造业中长期贷款余额",
            "Of which: manufacturing medium/long-term",
        ),
        amount("consumption_balance", "其中：消费服务业贷款余额", "Of which: consumer services"),
    )
)

PARTS = (
    ("SL-V101", "credit_balance", "信用贷款余额", "The credit loan balance"),
    ("SL-V102", "long_term_balance", "中长期贷款余额", "The medium/long-term balance"),
    ("SL-V103", "renewal_balance", "无还本续贷余额", "The renewal balance"),
    ("SL-V104", "sme_npl", "普惠型小微企业不良贷款余额", "The SME NPL balance"),
    ("SL-V105", "individual_balance", "个体工商户贷款余额", "The individual-business balance"),
)
SME = ("sme_balance", "普惠型小微企业贷款余额", "the inclusive SME balance")


def _same_as_previous(start: str, end: str) -> RowCheck:
    return lambda c: c(start) == c.prev(end)


CORE_RULES = (
    *(not_above(code, key, SME[0], zh, en, SME[1], SME[2]) for code, key, zh, en in PARTS),
    not_above(
        "SL-V106",
        "sme_balance",
        "all_balance",
        "普惠型小微企业贷款余额",
        "The SME balance",
        "各项贷款余额",
        "the all-loan balance",
    ),
    not_above(
        "SL-V107",
        "sme_npl",
        "all_npl",
        "普惠型小微企业不良余额",
        "The SME NPL balance",
        "各项贷款不良余额",
        "the all-loan NPL balance",
    ),
    not_above(
        "SL-V108",
        "sme_balance_start",
        "all_balance_start",
        "普惠型小微企业年初余额",
        "The SME start-of-year balance",
        "各项贷款年初余额",
        "the all-loan start-of-year balance",
    ),
    both_or_neither("SL-V109", "sme_balance", "borrowers", "普惠型小微企业贷款", "SME loans"),
    both_or_neither(
        "SL-V110",
        "individual_balance",
        "individual_borrowers",
        "个体工商户贷款",
        "Individual-business loans",
    ),
    Rule(
        "SL-Q201",
        RuleClass.QUALITY,
        Severity.WARNING,
        "利率 {value} 小于 1，疑似填成了小数（3.85% 应填 3.85）。",
        "The rate {value} is below 1: probably a fraction (3.85% is entered as 3.85).",
        "利率按年化百分数填写：3.85% 填 3.85，不填 0.0385。",
        "Enter rates in percent a year: 3.85% as 3.85, not 0.0385.",
        columns=("issued_rate",),
        check=lambda c: (c("issued_rate") >= 1) | (c("issued_rate") == 0),
    ),
    Rule(
        "SL-Q202",
        RuleClass.QUALITY,
        Severity.WARNING,
        "利率 {value} 与一年期 LPR（{limit}）相差过大。",
        "The rate {value} is far from the one-year LPR ({limit}).",
        "请核对利率口径（加权平均、年化）；确实如此的请说明原因。",
        "Check the rate is a weighted annual average; if it is right, say why.",
        columns=("issued_rate",),
        check=lambda c: (
            (c("issued_rate") < 1)
            | (
                (c("issued_rate") >= c.param("lpr") - Decimal("2.5"))
                & (c("issued_rate") <= c.param("lpr") + Decimal("12"))
            )
        ),
        limit_param="lpr",
    ),
    Rule(
        "SL-Q203",
        RuleClass.QUALITY,
        Severity.WARNING,
        "普惠型小微企业贷款余额较年初增长超过 100%。",
        "The SME balance grew more than 100% since the start of the year.",
        "请核对年初余额与本期余额的口径是否一致。",
        "Check that the start-of-year and current balances are measured alike.",
        columns=("sme_balance", "sme_balance_start"),
        check=lambda c: (
            (c("sme_balance_start") <= 0) | (c("sme_balance") <= c("sme_balance_start") * 2)
        ),
    ),
    Rule(
        "SL-Q204",
        RuleClass.QUALITY,
        Severity.WARNING,
        "普惠型小微企业不良率高出各项贷款不良率 {limit} 个百分点以上。",
        "The SME NPL ratio exceeds the all-loan NPL ratio by more than {limit} points.",
        "不良率容忍度见年度通知；请确认数据并说明原因。",
        "The tolerance is set by the yearly notice; confirm the figures and give a reason.",
        columns=("sme_npl", "sme_balance", "all_npl", "all_balance"),
        check=lambda c: (
            (c("sme_balance") <= 0)
            | (c("all_balance") <= 0)
            | (
                c("sme_npl") * 100 / c("sme_balance")
                <= c("all_npl") * 100 / c("all_balance") + c.param("npl_tolerance")
            )
        ),
        limit_param="npl_tolerance",
    ),
    *(
        Rule(
            code,
            RuleClass.CROSS_PERIOD,
            Severity.WARNING,
            f"{zh}与上年四季度已接收报表的期末数（{{expected}}）不一致。",
            f"{en} differs from the last accepted Q4 return's figure ({{expected}}).",
            "年初数应等于上年末数；确有调整（如机构合并）请说明原因。",
            "Start-of-year figures equal last year's year-end; explain any restatement.",
            columns=(start,),
            check=_same_as_previous(start, end),
            blank=Blank.ZERO,
            previous={start: end},
        )
        for code, start, end, zh, en in (
            (
                "SL-C301",
                "sme_balance_start",
                "sme_balance",
                "年初普惠型小微企业贷款余额",
                "The start-of-year SME balance",
            ),
            (
                "SL-C302",
                "all_balance_start",
                "all_balance",
                "年初各项贷款余额",
                "The start-of-year all-loan balance",
            ),
            (
                "SL-C303",
                "borrowers_start",
                "borrowers",
                "年初有贷款余额户数",
                "The start-of-year borrower count",
            ),
        )
    ),
)

KEY_AREA_RULES = tuple(
    not_above(
        f"SL-V11{i}",
        column.key,
        SME[0],
        column.label_zh.removeprefix("其中："),
        column.label_en.removeprefix("Of which: ").capitalize() + " balance",
        SME[1],
        SME[2],
    )
    for i, column in enumerate(KEY_AREA_COLUMNS, start=1)
)

COMMON: dict[str, Any] = {
    "code": "SME-LOANS",
    "title_zh": "普惠型小微企业贷款情况表",
    "title_en": "Inclusive SME lending return",
    "period_kind": PeriodKind.QUARTER,
    "filer": FilerKind.BANK,
    "sheet": "普惠小微贷款",
    "key": ("county",),
}

SME_LOANS_2023 = ReturnSpec(
    **COMMON,
    version="2023",
    columns=CORE_COLUMNS,
    rules=CORE_RULES,
    effective_from="2023Q1",
    description_zh="按 2023 年通知“增量扩面”要求，"
    "按县报送普惠型小微企业贷款的总量、户数、结构和价格。",
    description_en="Per the 2023 notice (volume and coverage): SME lending by county: "
    "amounts, borrowers, structure and price.",
)

SME_LOANS_2025 = ReturnSpec(
    **COMMON,
    version="2025",
    columns=CORE_COLUMNS + KEY_AREA_COLUMNS,
    rules=CORE_RULES + KEY_AREA_RULES,
    effective_from="2025Q1",
    supersedes="2023",
    description_zh="按 2025 年通知“稳量、提质、稳价、优结构”要求，"
    "增加外贸、科技、制造业中长期和消费服务等重点领域。",
    description_en="Per the 2025 notice (quantity, quality, price, structure): adds the key "
    "areas of foreign trade, technology, manufacturing and consumer services.",
)


# -- the revisions of 2026: what the notices measure that the first versions left out ------
# A revision keeps its base version's columns in their places and adds its own after them, so
# a return of the base version still reads and its new figures read as "not reported".

PRIVATE_COLUMN = cited(
    amount("private_balance", "其中：民营小微企业贷款余额", "Of which: private enterprises"),
    *NOTICE_2025_KEY_AREAS,
)
KEY_AREA_2023_COLUMNS = (
    cited(
        amount(
            "hard_hit_balance",
            "其中：困难行业小微企业贷款余额",
            "Of which: hard-hit sectors",
        ),
        "2023年通知（四）：住宿、餐饮、零售、教育、文化、旅游、体育、交通运输、外贸",
        "2023 notice, item 4 (四): lodging, catering, retail, education, culture, tourism, "
        "sports, transport, foreign trade",
    ),
    cited(KEY_AREA_COLUMNS[2], "2023年通知（五）", "2023 notice, item 5 (五)"),
    cited(
        amount("specialised_balance", "其中：专精特新小微企业贷款余额", "Of which: 专精特新 firms"),
        "2023年通知（五）",
        "2023 notice, item 5 (五)",
    ),
)
NOTICE_COLUMNS = (
    cited(
        amount("green_balance", "其中：绿色贷款余额", "Of which: green loans"),
        "2023年通知（五）；2022年长效机制（18）",
        "2023 notice, item 5 (五); 2022 mechanism (18)",
    ),
    cited(
        amount("agri_balance", "其中：涉农贷款余额", "Of which: agriculture-related loans"),
        "2022年长效机制（10）",
        "2022 mechanism (10)",
    ),
    *(
        cited(column, "2023年通知（七）", "2023 notice, item 7 (七)")
        for column in (
            amount(
                "large_credit_balance",
                "单户授信1000万元以上小微企业贷款余额",
                "Loans to SMEs with credit over 10 million per borrower",
            ),
            count(
                "large_credit_borrowers",
                "单户授信1000万元以上小微企业户数",
                "SMEs with credit over 10 million per borrower",
            ),
        )
    ),
    *(
        cited(
            column, "2023年通知（八）；2025年通知 三（四）", "2023 notice (八); 2025 notice III(IV)"
        )
        for column in (
            rate(
                "financing_cost",
                "当年新发放贷款平均综合融资成本",
                "Average total financing cost of loans issued this year",
            ),
            amount("fees_ytd", "当年向小微企业收取的费用", "Fees charged to SMEs this year"),
        )
    ),
    cited(
        amount(
            "npl_write_off_ytd", "当年核销普惠型小微企业不良贷款", "SME NPLs written off this year"
        ),
        "2023年通知（十）；2025年通知（九）",
        "2023 notice (十); 2025 notice (IX)",
    ),
)


def _part_of_sme(code: str, key: str, zh: str, en: str) -> Rule:
    return not_above(code, key, SME[0], zh, en, SME[1], SME[2])


NOTICE_RULES = (
    _part_of_sme("SL-V120", "green_balance", "绿色贷款余额", "The green loan balance"),
    _part_of_sme("SL-V121", "agri_balance", "涉农贷款余额", "The agriculture-related balance"),
    not_above(
        "SL-V122",
        "large_credit_balance",
        "all_balance",
        "单户授信1000万元以上小微企业贷款余额",
        "The balance of loans over 10 million per borrower",
        "各项贷款余额",
        "the all-loan balance",
    ),
    both_or_neither(
        "SL-V123",
        "large_credit_balance",
        "large_credit_borrowers",
        "单户授信1000万元以上小微企业贷款",
        "Loans over 10 million per borrower",
    ),
    Rule(
        "SL-Q205",
        RuleClass.QUALITY,
        Severity.WARNING,
        "综合融资成本 {value} 低于新发放贷款加权平均利率。",
        "The total financing cost {value} is below the weighted rate of loans issued.",
        "综合融资成本含利息及企业承担的各项费用，通常不低于利率；请核对两列。",
        "The total cost is the interest plus every fee the firm bears, so not below the rate; "
        "check both columns.",
        columns=("financing_cost", "issued_rate"),
        check=lambda c: c("financing_cost") >= c("issued_rate"),
    ),
)
KEY_AREA_2023_RULES = (
    _part_of_sme(
        "SL-V116", "hard_hit_balance", "困难行业贷款余额", "The hard-hit sectors' balance"
    ),
    KEY_AREA_RULES[2],
    _part_of_sme("SL-V117", "specialised_balance", "专精特新贷款余额", "The 专精特新 balance"),
)

SME_LOANS_2023_2 = ReturnSpec(
    **COMMON,
    version="2023.2",
    columns=CORE_COLUMNS + KEY_AREA_2023_COLUMNS + NOTICE_COLUMNS,
    rules=CORE_RULES + KEY_AREA_2023_RULES + NOTICE_RULES,
    effective_from="2023Q1",
    supersedes="2023",
    description_zh="2023 年版的修订：增加 2023 年通知的重点领域"
    "（困难行业、制造业中长期、专精特新），"
    "以及绿色、涉农、单户授信1000万元以上、综合融资成本和费用、不良核销。",
    description_en="The 2023 version revised: adds the 2023 notice's key areas (hard-hit "
    "sectors, manufacturing medium/long-term, 专精特新), and green and agriculture-related "
    "loans, loans over 10 million per borrower, total financing cost and fees, NPL write-offs.",
)

SME_LOANS_2025_2 = ReturnSpec(
    **COMMON,
    version="2025.2",
    columns=CORE_COLUMNS + KEY_AREA_COLUMNS + (PRIVATE_COLUMN,) + NOTICE_COLUMNS,
    rules=CORE_RULES
    + KEY_AREA_RULES
    + (_part_of_sme("SL-V115", "private_balance", "民营企业贷款余额", "The private-firm balance"),)
    + NOTICE_RULES,
    effective_from="2025Q1",
    supersedes="2025",
    description_zh="2025 年版的修订：增加民营企业，"
    "以及绿色、涉农、单户授信1000万元以上、综合融资成本和费用、不良核销。",
    description_en="The 2025 version revised: adds private enterprises, and green and "
    "agriculture-related loans, loans over 10 million per borrower, total financing cost and "
    "fees, NPL write-offs.",
)
