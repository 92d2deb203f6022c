"""Workbooks of an office's subtree for a quarter, built by a worker: the consolidated returns
(one sheet per return, every stored row of the accepted versions in force) and the dashboard's
figures. Both are computed with the scope of the person who asked; every text cell is
escaped so that no spreadsheet runs it as a formula."""

import logging
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from portal import audit, scoping
from portal.models import Institution, Office
from portal.outbox import send_on_commit
from reporting import periods
from reporting.models import Filing, FilingRow, FilingStatus, typed_value
from reporting.spec import ColumnType, PeriodKind, ReturnSpec
from reporting.specs import ALL, get_spec, spec_for_period
from reporting.workbooks import (
    SUBHEAD_FONT,
    column_width,
    heading_cells,
    in_both_languages,
    safe_text,
)
from supervision.dashboards import figures
from supervision.dashboards.indicators import Indicator
from supervision.dashboards.models import DashboardExport, ExportKind
from supervision.dashboards.notice_exports import notice_sheet
from supervision.dashboards.weak_regions import Weak, filer_of

log = logging.getLogger(__name__)

# A build silent this long was lost with its worker: a redelivered task may take it over.
STALE = timedelta(minutes=30)
QUARTERLY = sorted({s.code for s in ALL if s.period_kind == PeriodKind.QUARTER})
CHUNK = 2000


def request_export(user, office: Office, period: str, kind: str) -> DashboardExport:
    """Queue a workbook of ``office``'s subtree for the quarter; the worker builds it."""
    if not scoping.may_see(user, office):
        raise PermissionDenied
    if kind not in ExportKind.values:
        raise ValidationError(_("Choose the consolidated returns or the dashboard figures."))
    if not periods.is_quarter(period):
        raise ValidationError(_("Choose a quarter, such as 2025Q3."))
    from supervision.dashboards.tasks import build_export

    with transaction.atomic(durable=True):
        export = DashboardExport.objects.create(
            kind=kind, office=office, period=period, requested_by=user
        )
        audit.record(user, "dashboard.export_requested", export, {"kind": kind, "period": period})
        send_on_commit(build_export, export.pk)
    return export


def run(pk: int) -> None:
    """Build export ``pk`` once: a second delivery of the task finds it taken and stops."""
    export = DashboardExport.claim(
        pk, STALE, rows=DashboardExport.objects.select_related("requested_by")
    )
    if export is None:
        return
    build = returns_workbook if export.kind == ExportKind.RETURNS else figures_workbook
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / export.filename
            with translation.override(export.requested_by.language):
                rows = build(export, path)
            with path.open("rb") as handle:
                export.file.save(export.filename, File(handle), save=False)
    except Exception as error:  # the page says what went wrong; the log keeps the trace
        log.exception("dashboard export %s failed", pk)
        export.finish(DashboardExport.Status.FAILED, error=f"{type(error).__name__}: {error}")
    else:
        export.finish(DashboardExport.Status.DONE, rows=rows, file=export.file)


# -- consolidated returns ------------------------------------------------------------------

FILER_HEADINGS = (
    ("机构名称", "Institution"),
    ("机构统一社会信用代码", "Institution credit code"),
    ("分支机构", "Branch"),
    ("分支机构统一社会信用代码", "Branch credit code"),
    ("报送回执号", "Receipt"),
    ("版本", "Version"),
)


def accepted_in_subtree(user, office: Office, spec: ReturnSpec, period: str) -> QuerySet:
    """Stored rows of the accepted returns in force of institutions the user supervises: by
    county for a return kept by county, else by the filer's supervising office."""
    in_force = Filing.objects.filter(
        spec_code=spec.code,
        period=period,
        is_current=True,
        status=FilingStatus.ACCEPTED,
        check_only=False,
        institution__in=scoping.visible(user, Institution).values("pk"),
    )
    rows = FilingRow.objects.filter(filing__in=in_force)
    if any(spec.column(k).type == ColumnType.DIVISION for k in spec.key):
        return figures.in_subtree(rows, office, county="key")
    return rows.filter(
        Q(filing__branch__office__path__startswith=office.path)
        | Q(filing__branch__isnull=True, filing__institution__office__path__startswith=office.path)
    )


def _bilingual(ws, pairs: list[tuple[str, str]]) -> None:
    """Two heading rows: the Chinese headings, then the English ones under them."""
    ws.append(heading_cells(ws, [zh for zh, _ in pairs]))
    ws.append(heading_cells(ws, [en for _, en in pairs], font=SUBHEAD_FONT, fill=None))


def _returns_rows(rows: QuerySet, spec: ReturnSpec) -> Iterator[list[Any]]:
    found = rows.order_by("filing__institution__name_zh", "filing_id", "row").values_list(
        "filing__institution__name_zh",
        "filing__institution__credit_code",
        "filing__branch__name_zh",
        "filing__branch__credit_code",
        "filing__receipt_number",
        "filing__version",
        "filing__spec_version",
        "data",
    )
    for *filer, version, data in found.iterator(chunk_size=CHUNK):
        own = get_spec(spec.code, version)
        by_key = dict(zip(own.column_keys, data, strict=True))
        values = [
            typed_value(column, by_key.get(column.key))
            if column.type != ColumnType.FLAG
            else by_key.get(column.key)
            for column in spec.columns
        ]
        yield [safe_text(v) for v in (*filer, *values)]


def returns_workbook(export: DashboardExport, path: Path) -> int:
    """One sheet per quarterly return: filer columns, then the return's own columns under
    its bilingual headings. Returns the number of data rows."""
    wb = Workbook(write_only=True)
    written = 0
    for code in QUARTERLY:
        spec = spec_for_period(code, export.period)
        ws = wb.create_sheet(code)
        ws.freeze_panes = "A3"
        for index, column in enumerate(spec.columns, start=len(FILER_HEADINGS) + 1):
            ws.column_dimensions[get_column_letter(index)].width = column_width(column)
        _bilingual(ws, [*FILER_HEADINGS, *((c.heading_zh, c.heading_en) for c in spec.columns)])
        rows = accepted_in_subtree(export.requested_by, export.office, spec, export.period)
        for row in _returns_rows(rows, spec):
            ws.append(row)
            written += 1
    wb.save(path)
    return written


# -- dashboard figures ---------------------------------------------------------------------


def _on_target(indicator: Indicator) -> str:
    return {True: "是 yes", False: "否 no", None: ""}[indicator.on_target]


def figures_workbook(export: DashboardExport, path: Path) -> int:
    """The dashboard's figures: headline with targets, offices, every institution, trend."""
    among = scoping.visible(export.requested_by, Institution)
    found = figures.subtree_figures(export.office, export.period, among=among, every_column=True)
    figures.with_institutions(found.institutions)
    keys = [i.key for i in found.headline]
    labels = [in_both_languages(i.label) for i in found.headline]
    wb = Workbook(write_only=True)
    _headline_sheet(wb, found)
    _offices_sheet(wb, found, keys, labels)
    _institutions_sheet(wb, found, keys, labels)
    _trend_sheet(wb, found, keys, labels)
    notice_sheet(wb, found, Weak(export.office, export.period, filer_of(among, None, None)))
    wb.save(path)
    return len(found.institutions)


def _headline_sheet(wb: Workbook, found: figures.Figures) -> None:
    """The headline indicators with their references, targets and the institutions missing
    them."""
    ws = wb.create_sheet("主要指标 Headline")
    _bilingual(
        ws,
        [
            ("指标", "Indicator"),
            ("指标（英文）", "Indicator (English)"),
            ("单位", "Unit"),
            ("数值", "Figure"),
            ("比较基准", "Compared with"),
            ("基准值", "Reference"),
            ("监管要求", "Target"),
            ("是否达标", "On target"),
            ("未达标机构数", "Institutions missing it"),
        ],
    )
    for indicator, missing in found.headline_rows:
        label, reference = (
            in_both_languages(indicator.label),
            in_both_languages(indicator.reference_label),
        )
        target = in_both_languages(indicator.target) if indicator.target else ("", "")
        ws.append(
            [
                safe_text(label[0]),
                safe_text(label[1]),
                indicator.unit,
                indicator.value,
                safe_text(f"{reference[0]} / {reference[1]}" if reference[0] else ""),
                indicator.reference,
                safe_text(f"{target[0]} / {target[1]}" if target[0] else ""),
                _on_target(indicator),
                missing,
            ]
        )


def _offices_sheet(wb: Workbook, found: figures.Figures, keys: list, labels: list) -> None:
    """The headline indicators of each child office."""
    ws = wb.create_sheet("分辖区 Offices")
    _bilingual(
        ws,
        [
            ("辖区", "Office"),
            ("代码", "Code"),
            ("机构数", "Institutions"),
            ("全部达标机构数", "On every target"),
            *labels,
        ],
    )
    for row in found.units:
        office = row.office
        name = office.name_zh if office else ""
        ws.append(
            [safe_text(name), office.code if office else "", row.institutions, row.on_target]
            + [row.by_key[k].value for k in keys]
        )


def _institutions_sheet(wb: Workbook, found: figures.Figures, keys: list, labels: list) -> None:
    """The headline indicators of every institution, with the targets it misses."""
    ws = wb.create_sheet("机构 Institutions")
    _bilingual(
        ws,
        [
            ("机构名称", "Institution"),
            ("统一社会信用代码", "Credit code"),
            ("未达标指标", "Targets missed"),
            *labels,
        ],
    )
    for row in found.institutions:
        assert row.institution is not None, "the rows of Figures.institutions are institutions'"
        missed = ", ".join(
            in_both_languages(i.label)[0] for i in row.indicators if i.on_target is False
        )
        ws.append(
            [safe_text(row.institution.name_zh), row.institution.credit_code, safe_text(missed)]
            + [row.by_key[k].value for k in keys]
        )


def _trend_sheet(wb: Workbook, found: figures.Figures, keys: list, labels: list) -> None:
    """The headline indicators quarter by quarter."""
    ws = wb.create_sheet("趋势 Trend")
    _bilingual(ws, [("季度", "Quarter"), *labels])
    for row in found.trend:
        ws.append([row.period] + [row.by_key[k].value for k in keys])
