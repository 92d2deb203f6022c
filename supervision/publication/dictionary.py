"""The public tables and their data dictionary: every column's name in both languages, its
type and unit, what it counts and which count decides whether it is shown. The pages, the
CSV and xlsx downloads and the dictionary page all read these definitions.
"""

from dataclasses import dataclass
from functools import cache

from reporting.workbooks import in_both_languages
from supervision.complaints.statistics import categories

SUPPRESSED = "S"


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str  # text, count, percent, number, amount
    zh_meaning: str
    en_meaning: str
    # The column whose count a cell is built from: below the smallest cell, it is suppressed.
    basis: str = ""


@dataclass(frozen=True)
class Table:
    key: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    zh_note: str
    en_note: str


NAME = Column("name", "名称", "Name", "text", "分组名称", "The group's name")
COMPLAINTS = Column(
    "complaints",
    "投诉件数",
    "Complaints",
    "count",
    "本季度提交的投诉件数",
    "Complaints filed in the quarter",
    "complaints",
)
ANSWERED = Column(
    "answered",
    "已答复件数",
    "Answered",
    "count",
    "其中已获机构首次答复的件数",
    "Of them, answered by the institution at least once",
    "answered",
)
FIGURES = (
    Column(
        "on_time_share",
        "按时答复率（%）",
        "On-time share (%)",
        "percent",
        "首次答复在期限内的比例",
        "Share of first answers given by the deadline",
        "answered",
    ),
    Column(
        "mean_days",
        "平均答复天数",
        "Mean days to answer",
        "number",
        "从提交到首次答复的平均自然日",
        "Mean calendar days from filing to the first answer",
        "answered",
    ),
    Column(
        "reopen_share",
        "重新处理率（%）",
        "Reopen rate (%)",
        "percent",
        "企业拒绝答复、重新处理的比例",
        "Share of answered complaints the owner reopened",
        "answered",
    ),
    Column(
        "rated",
        "评价件数",
        "Ratings",
        "count",
        "办结后企业评价的件数",
        "Closed complaints the owner rated",
        "rated",
    ),
    Column(
        "mean_rating",
        "平均满意度（1-5）",
        "Mean satisfaction (1-5)",
        "number",
        "企业对办理情况的平均评分，5 分最好",
        "Owners' mean rating of the handling, 5 is best",
        "rated",
    ),
    Column(
        "satisfied_share",
        "满意率（%）",
        "Satisfied share (%)",
        "percent",
        "评分为 4 或 5 的比例",
        "Share of ratings at 4 or 5",
        "rated",
    ),
    Column(
        "solved_share",
        "问题解决率（%）",
        "Solved share (%)",
        "percent",
        "评价企业中表示问题已解决的比例",
        "Share of rating owners who said the problem was solved",
        "rated",
    ),
)


def _category_columns() -> tuple[Column, ...]:
    return tuple(
        Column(
            f"category_{value}",
            *in_both_languages(label),
            "count",
            "该类别投诉件数",
            "Complaints of this category",
            f"category_{value}",
        )
        for value, label in categories()
    )


COMPLAINT_NOTE = (
    "投诉按提交日期计入季度；不含企业名称、联系人、电话、信用代码等任何个人或企业信息。",
    "Complaints count in the quarter they were filed; no enterprise, contact, phone or credit "
    "code is published.",
)


LENDING_COLUMNS = (
    NAME,
    Column(
        "institutions",
        "报送机构数",
        "Reporting institutions",
        "count",
        "本季度报送且已受理的法人机构数",
        "Legal entities whose SME-LOANS return for the quarter was accepted",
        "institutions",
    ),
    Column(
        "balance",
        "贷款余额（亿元）",
        "Balance (100 million CNY)",
        "amount",
        "季末普惠型小微企业贷款余额",
        "Inclusive SME loan balance at the quarter's end",
        "institutions",
    ),
    Column(
        "growth",
        "较年初增速（%）",
        "Growth since the start of the year (%)",
        "percent",
        "余额较年初的增长率",
        "Growth of the balance since the start of the year",
        "institutions",
    ),
    Column(
        "borrowers",
        "有贷款余额户数",
        "Borrowers with a balance",
        "count",
        "季末有贷款余额的户数",
        "Borrowers with a balance at the quarter's end",
        "institutions",
    ),
    Column(
        "rate",
        "当年新发放贷款平均利率（%）",
        "Mean rate of loans issued this year (%)",
        "percent",
        "按发放金额加权的年利率",
        "Yearly rate weighted by the amount issued",
        "institutions",
    ),
)


@cache
def tables() -> dict[str, Table]:
    """The public tables by key (built once the catalogue can be read)."""
    return {
        "complaints-by-category": Table(
            "complaints-by-category",
            "按类别统计的投诉",
            "Complaints by category",
            (NAME, COMPLAINTS, ANSWERED, *FIGURES),
            *COMPLAINT_NOTE,
        ),
        "complaints-by-province": Table(
            "complaints-by-province",
            "按省份统计的投诉",
            "Complaints by province",
            (NAME, COMPLAINTS, ANSWERED, *FIGURES, *_category_columns()),
            *COMPLAINT_NOTE,
        ),
        "complaints-by-kind": Table(
            "complaints-by-kind",
            "按机构类型统计的投诉",
            "Complaints by kind of institution",
            (NAME, COMPLAINTS, ANSWERED, *FIGURES),
            *COMPLAINT_NOTE,
        ),
        "lending-by-province": Table(
            "lending-by-province",
            "按省份统计的普惠型小微企业贷款",
            "Inclusive SME lending by province",
            LENDING_COLUMNS,
            "数据来自各机构已受理的普惠型小微企业贷款报表，按贷款所在县归入省份。",
            "From the institutions' accepted SME-LOANS returns, placed in provinces by the county "
            "of the loans.",
        ),
    }
