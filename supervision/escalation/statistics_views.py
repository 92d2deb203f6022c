"""Statistics of escalation cases by cause, level reached and time to close, on a page and
as an Excel workbook with every case behind the figures (``supervision.case_statistics``)."""

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from portal import scoping
from portal.models import OfficeLevel
from reporting.workbooks import (
    Sheet,
    add_sheet,
    append_rows,
    bilingual,
    both,
    heading_cells,
    safe_text,
    workbook_bytes,
    write_sheet,
    xlsx_response,
)
from supervision.escalation import statistics as case_statistics
from supervision.escalation.models import Case, CaseStatus, CauseKind
from supervision.escalation.views import DATE_INPUT


class StatisticsFilterForm(forms.Form):
    start = forms.DateField(label=_("Opened from"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=_("Opened until"), required=False, widget=DATE_INPUT)

    def filter(self, cases):
        if not self.is_valid():
            return cases
        return case_statistics.opened_between(
            cases, self.cleaned_data["start"], self.cleaned_data["end"]
        )

    def query(self) -> str:
        return urlencode({k: v for k, v in self.data.items() if k in self.fields and v})


def _statistics_cases(request: HttpRequest) -> tuple[StatisticsFilterForm, QuerySet]:
    if not scoping.scope_of(request.user).is_regulator:
        raise Http404
    filters = StatisticsFilterForm(request.GET)
    return filters, filters.filter(scoping.visible(request.user, Case))


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    filters, cases = _statistics_cases(request)
    return render(
        request,
        "supervision/escalation/statistics.html",
        {"filters": filters, "figures": case_statistics.figures(cases)},
    )


CASE_COLUMNS = (
    ("案件编号", "Case"),
    ("机构", "Institution"),
    ("统一社会信用代码", "Credit code"),
    ("分支机构", "Branch"),
    ("触发原因", "Causes"),
    ("发起单位", "Raised at"),
    ("所在单位", "Office"),
    ("所达层级", "Level reached"),
    ("状态", "Status"),
    ("升级次数", "Times escalated"),
    ("立案时间", "Opened"),
    ("结案时间", "Closed"),
    ("办结天数", "Days to close"),
    ("结案说明", "Closing note"),
)


def _local(moment):
    # Excel has no time zones: the portal's local time, without one.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _case_row(case: Case, labels: dict) -> list:
    row = [
        case.pk,
        case.institution.name_zh,
        (case.branch or case.institution).credit_code,
        case.branch.name_zh if case.branch else "",
        "; ".join(labels["kind"].get(c.kind, c.kind) for c in case.causes.all()),
        case.origin_office.name_zh,
        case.office.name_zh,
        labels["level"][case.level],
        labels["status"][case.status],
        case.escalations,
        _local(case.opened_at),
        _local(case.closed_at),
        round((case.closed_at - case.opened_at).total_seconds() / 86400, 1)
        if case.closed_at
        else None,
        case.closing_note,
    ]
    # Names and notes are typed by people: none of it may run as a formula in Excel.
    return [safe_text(value) for value in row]


@login_required
def statistics_export(request: HttpRequest) -> HttpResponse:
    """The statistics and every case behind them, as an Excel workbook."""
    _filters, cases = _statistics_cases(request)
    figures = case_statistics.figures(cases)
    labels: dict[str, dict[Any, str]] = {
        "kind": {k: bilingual(label) for k, label in CauseKind.choices},
        "level": {k: bilingual(label) for k, label in OfficeLevel.choices},
        "status": {k: bilingual(label) for k, label in CaseStatus.choices},
    }
    wb = Workbook(write_only=True)
    ws = add_sheet(
        wb,
        "统计 Statistics",
        [
            "触发原因 Cause",
            "案件 Cases",
            "未结 Open",
            "已结 Closed",
            "平均办结天数 Average days to close",
            "原因总数 Causes joined",
        ],
        widths=[40],
        freeze=None,
    )
    append_rows(
        ws,
        (
            [
                labels["kind"][row.kind],
                row.cases,
                row.open,
                row.closed,
                row.average_days_to_close,
                row.causes_joined,
            ]
            for row in figures.by_cause
        ),
    )
    ws.append([])
    ws.append(
        heading_cells(ws, ["所达层级 Level reached", "案件 Cases", "未结 Open", "已结 Closed"])
    )
    append_rows(
        ws,
        ([labels["level"][row.level], row.cases, row.open, row.closed] for row in figures.by_level),
    )
    ws.append([])
    ws.append(heading_cells(ws, ["办结天数 Days to close", "案件 Cases"]))
    append_rows(ws, figures.close_bands)

    rows = (
        cases.select_related("institution", "branch", "office", "origin_office")
        .prefetch_related("causes")
        .order_by("pk")
    )
    cases_sheet = (_case_row(case, labels) for case in rows.iterator(chunk_size=1000))
    write_sheet(wb, Sheet("案件 Cases", [both(c) for c in CASE_COLUMNS], cases_sheet))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(workbook_bytes(wb), f"escalation-statistics-{stamp}.xlsx")
