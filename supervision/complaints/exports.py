"""The complaint statistics as a workbook: figures by institution and by office, and one row
per complaint, with bilingual headings. No owner's personal data and no free text the owner
typed; every text cell is escaped (``rows_workbook``) so that nothing runs as a formula."""

from django.db.models import QuerySet

from reporting.workbooks import Sheet, in_both_languages, rows_workbook
from supervision.complaints.clock import local_day
from supervision.complaints.models import Category, Complaint, ComplaintStatus, Outcome
from supervision.complaints.statistics import ComplaintFigures

FIGURE_HEADINGS = [
    "名称 Name",
    "投诉总数 Complaints",
    "已答复 Answered",
    "按时答复 On time",
    "按时答复率 On-time share",
    "平均答复天数 Mean days to answer",
    "首次答复即解决 Resolved at first answer",
    "首次答复解决率 First-answer share",
    "重新处理 Reopened",
    "有效投诉 Substantive",
    "逾期未答复 Overdue unanswered",
    "重新处理率 Reopen rate",
    "评价数 Ratings",
    "平均满意度 Mean satisfaction (1-5)",
    "满意率 Satisfied share (4-5)",
    "问题解决率 Solved share",
]
COMPLAINT_HEADINGS = [
    "投诉编号 Reference",
    "机构 Institution",
    "网点 Branch",
    "监管机构 Office",
    "类别 Category",
    "状态 Status",
    "提交日期 Filed",
    "答复期限 Due",
    "首次答复 First answered",
    "逾期答复 Late",
    "处理结果 Outcome",
    "重新处理次数 Reopened",
    "有效投诉 Substantive",
    "满意度 Satisfaction",
    "问题已解决 Solved",
]


def _both(choices, value: str) -> str:
    """A choice's label in Chinese and English."""
    zh, en = in_both_languages(choices(value).label)
    return f"{zh} {en}"


def _category_headings() -> list[str]:
    return [_both(Category, c) for c in Category.values]


def _figure_row(row: ComplaintFigures) -> list:
    return [
        f"{row.name_zh} {row.name_en}" if row.name_en != row.name_zh else row.name_zh,
        row.total,
        row.answered,
        row.answered_on_time,
        row.on_time_share,
        row.mean_response_days,
        row.resolved_at_first_answer,
        row.first_answer_share,
        row.reopened,
        row.substantive,
        row.overdue_unanswered,
        row.reopen_share,
        row.rated,
        row.mean_rating,
        row.satisfied_share,
        row.solved_share,
        *(row.by_category[c] for c in Category.values),
    ]


def _complaint_row(c: Complaint) -> list:
    return [
        c.reference,
        c.institution.name_zh,
        c.branch.name_zh,
        c.office.name_zh,
        _both(Category, c.category),
        _both(ComplaintStatus, c.status),
        local_day(c.filed_at),
        c.due_on,
        local_day(c.first_answered_at) if c.first_answered_at else None,
        "是 yes" if c.answered_late else "",
        _both(Outcome, c.outcome) if c.outcome else "",
        c.reopen_count,
        {True: "是 yes", False: "否 no", None: ""}[c.substantive],
        c.rating,
        {True: "是 yes", False: "否 no", None: ""}[c.solved],
    ]


def statistics_workbook(
    by_institution: list[ComplaintFigures],
    by_office: list[ComplaintFigures],
    complaints: QuerySet[Complaint],
) -> bytes:
    figure_headings = FIGURE_HEADINGS + _category_headings()
    rows = complaints.select_related("institution", "branch", "office").order_by("filed_at", "pk")
    return rows_workbook(
        Sheet("按机构 By institution", figure_headings, map(_figure_row, by_institution)),
        Sheet("按监管机构 By office", figure_headings, map(_figure_row, by_office)),
        Sheet(
            "投诉明细 Complaints",
            COMPLAINT_HEADINGS,
            map(_complaint_row, rows.iterator(chunk_size=2000)),
        ),
    )
