"""The two returns of enterprise screening: the list an office pushes to banks
(SCREENING-LIST) and each bank's results for the enterprises assigned to it
(SCREENING-RESULT), one row per enterprise."""

from decimal import Decimal

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
from reporting.specs.columns import YES_NO, amount, choices, rate

T = ColumnType

CREDIT_CODE = Column("credit_code", "统一社会信用代码", "Unified social credit code", T.CREDIT_CODE)
CRITERIA = (
    ("compliant", "合规持续经营", "Compliant ongoing operation"),
    ("premises", "有固定经营场所", "Fixed premises"),
    ("genuine_need", "真实融资需求", "Genuine financing need"),
    ("good_credit", "信用状况良好", "Good credit"),
    ("lawful_purpose", "资金用途合法合规", "Lawful purpose"),
)

SCREENING_LIST_2025 = ReturnSpec(
    code="SCREENING-LIST",
    version="2025",
    title_zh="小微企业融资协调工作机制走访清单",
    title_en="Enterprise screening list",
    period_kind=PeriodKind.TASK,
    filer=FilerKind.OFFICE,
    sheet="走访清单",
    key=("credit_code",),
    effective_from="2024Q4",
    description_zh="工作专班走访筛选形成的企业清单，推送给银行对接。联系电话为个人信息，仅对被分派的银行完整显示。",
    description_en="Enterprises visited and screened by the county task force, pushed to banks. "
    "The contact phone is personal data, shown in full only to the assigned bank.",
    columns=(
        CREDIT_CODE,
        Column("name", "企业名称", "Enterprise name", T.TEXT),
        Column(
            "entity_type",
            "主体类型",
            "Entity type",
            T.CHOICE,
            choices=choices(
                ("enterprise", "企业", "enterprise"),
                ("individual", "个体工商户", "individual business"),
                ("cooperative", "农民专业合作社", "farmer cooperative"),
                ("family_farm", "家庭农场", "family farm"),
            ),
        ),
        Column(
            "size",
            "企业规模",
            "Size",
            T.CHOICE,
            choices=choices(("small", "小型", "small"), ("micro", "微型", "micro")),
        ),
        Column("industry", "行业（门类+大类）", "Industry (GB/T 4754, e.g. C13)", T.INDUSTRY),
        Column("county", "所在县（区）代码", "County division code", T.DIVISION),
        Column("contact", "联系人", "Contact person", T.TEXT, personal=True),
        Column("phone", "联系电话", "Contact phone", T.PHONE, personal=True),
        amount("need_amount", "融资需求金额", "Financing need"),
        Column(
            "need_term",
            "需求期限（月）",
            "Term wanted (months)",
            T.COUNT,
            unit="月",
            minimum=Decimal(1),
            maximum=Decimal(360),
        ),
        Column("purpose", "资金用途", "Purpose", T.TEXT),
        *(Column(key, zh, en, T.FLAG, choices=YES_NO) for key, zh, en in CRITERIA),
        Column(
            "status",
            "推送类型",
            "Status",
            T.CHOICE,
            choices=choices(
                ("declared", "企业申报", "declared"), ("recommended", "专班推荐", "recommended")
            ),
        ),
    ),
    rules=(
        Rule(
            "SC-V101",
            RuleClass.VALIDITY,
            Severity.ERROR,
            "“五项标准”未全部满足的企业不应推送。",
            "An enterprise that does not meet all five criteria is not pushed.",
            "五项标准：合规持续经营、有固定场所、真实需求、信用良好、用途合法；不满足的请删除该行。",
            "The five criteria must all be 'yes'; delete rows that do not meet them.",
            columns=tuple(key for key, _, _ in CRITERIA),
            check=lambda c: (
                c("compliant")
                & c("premises")
                & c("genuine_need")
                & c("good_credit")
                & c("lawful_purpose")
            ),
        ),
    ),
)

DECISIONS = choices(
    ("granted", "已授信", "credit granted"),
    ("declined", "不予授信", "declined"),
    ("pending", "审批中", "pending"),
    ("no_need", "暂无需求", "no need"),
    ("unreachable", "无法联系", "unreachable"),
)
DECLINE_REASONS = choices(
    ("no_operation", "未持续经营", "not operating"),
    ("poor_credit", "信用记录不良", "poor credit record"),
    ("no_repayment", "缺乏还款来源", "no repayment source"),
    ("over_indebted", "负债过高", "over-indebted"),
    ("restricted_industry", "限制类行业", "restricted industry"),
    ("insufficient_documents", "资料不全", "documents missing"),
    ("other", "其他", "other"),
)


def _decided(value: str) -> RowCheck:
    return lambda c: c("decision") == value


def _between_push_and_today(key: str) -> RowCheck:
    return lambda c: (c(key) >= c.param("pushed_on")) & (c(key) <= c.param("today"))


SCREENING_RESULT_2025 = ReturnSpec(
    code="SCREENING-RESULT",
    version="2025",
    title_zh="走访清单企业对接结果表",
    title_en="Screening results return",
    period_kind=PeriodKind.TASK,
    filer=FilerKind.BANK,
    sheet="对接结果",
    key=("credit_code",),
    effective_from="2024Q4",
    description_zh="银行对分派给本行的清单企业逐户反馈对接结果。",
    description_en="A bank's result for each enterprise assigned to it from a screening list.",
    columns=(
        CREDIT_CODE,
        Column("contact_date", "对接日期", "Contact date", T.DATE),
        Column("decision", "对接结果", "Decision", T.CHOICE, choices=DECISIONS),
        Column(
            "decline_reason",
            "未授信原因",
            "Decline reason",
            T.CHOICE,
            required=False,
            choices=DECLINE_REASONS,
        ),
        amount("credit_amount", "授信金额", "Credit granted", required=False),
        amount("loan_amount", "贷款发放金额", "Loan issued", required=False),
        Column("loan_date", "贷款发放日期", "Loan date", T.DATE, required=False),
        rate("rate", "贷款利率", "Loan rate", required=False),
        Column(
            "credit_loan", "是否信用贷款", "Credit loan", T.FLAG, required=False, choices=YES_NO
        ),
        Column(
            "first_time",
            "是否首贷户",
            "First-time borrower",
            T.FLAG,
            required=False,
            choices=YES_NO,
        ),
        Column("renewal", "是否续贷", "Renewal", T.FLAG, required=False, choices=YES_NO),
        Column(
            "term_months",
            "贷款期限（月）",
            "Term (months)",
            T.COUNT,
            unit="月",
            required=False,
            maximum=Decimal(360),
        ),
        Column("remarks", "备注", "Remarks", T.TEXT, required=False),
    ),
    rules=(
        Rule(
            "SR-V101",
            RuleClass.VALIDITY,
            Severity.ERROR,
            "企业 {value} 不在分派给本行的清单中。",
            "The enterprise {value} is not on the list assigned to this bank.",
            "只反馈分派给本行的企业；请核对统一社会信用代码。",
            "Report only the enterprises assigned to you; check the credit code.",
            columns=("credit_code",),
            check=lambda c: c("credit_code").is_in(c.param("assigned")),
        ),
        Rule(
            "SR-V102",
            RuleClass.VALIDITY,
            Severity.ERROR,
            "结果为“不予授信”时必须填写未授信原因。",
            "A declined enterprise needs a decline reason.",
            "请从下拉列表选择原因；都不符合的选“其他”并在备注中说明。",
            "Pick a reason from the list; choose 'other' and explain in the remarks if none fits.",
            columns=("decline_reason", "decision"),
            check=lambda c: ~_decided("declined")(c) | c("decline_reason").is_not_null(),
            blank=Blank.FAILS,
        ),
        Rule(
            "SR-V103",
            RuleClass.VALIDITY,
            Severity.ERROR,
            "结果为“已授信”时授信金额必须大于 0。",
            "A granted enterprise needs a credit amount above 0.",
            "请填写授信金额（万元）。",
            "Enter the credit amount (10,000 CNY).",
            columns=("credit_amount", "decision"),
            check=lambda c: ~_decided("granted")(c) | (c("credit_amount").fill_null(0) > 0),
            blank=Blank.FAILS,
        ),
        Rule(
            "SR-Q201",
            RuleClass.QUALITY,
            Severity.WARNING,
            "贷款发放金额大于授信金额。",
            "The loan issued is above the credit granted.",
            "请核对两项金额；确实超出的请说明原因。",
            "Check both amounts; explain if the loan truly exceeds the credit line.",
            columns=("loan_amount", "credit_amount"),
            check=lambda c: c("loan_amount") <= c("credit_amount"),
        ),
        *(
            Rule(
                code,
                RuleClass.VALIDITY,
                Severity.ERROR,
                f"{zh}（{{value}}）早于清单推送日期或晚于今天。",
                f"The {en} ({{value}}) is before the list was pushed or in the future.",
                "日期应在清单推送之后、报送之日之前。",
                "Dates fall between the day the list was pushed and today.",
                columns=(key,),
                check=_between_push_and_today(key),
            )
            for code, key, zh, en in (
                ("SR-V104", "contact_date", "对接日期", "contact date"),
                ("SR-V105", "loan_date", "贷款发放日期", "loan date"),
            )
        ),
        Rule(
            "SR-Q202",
            RuleClass.QUALITY,
            Severity.WARNING,
            "利率 {value} 小于 1，疑似填成了小数（3.85% 应填 3.85）。",
            "The rate {value} is below 1: probably a fraction (3.85% is entered as 3.85).",
            "利率按年化百分数填写：3.85% 填 3.85，不填 0.0385。",
            "Enter rates in percent a year: 3.85% as 3.85, not 0.0385.",
            columns=("rate",),
            check=lambda c: c("rate") >= 1,
        ),
    ),
)
