"""The figures workbook's sheet of what the notices measure (``notice_indicators.py``): the
subtree's figures with their comparison, aim and source article, then each child office's."""

from openpyxl import Workbook

from reporting.workbooks import heading_cells, in_both_languages, safe_text
from supervision.dashboards import figures
from supervision.dashboards import notice_indicators as notices
from supervision.dashboards.indicators import Basis

NOT_REPORTED = "该版本未报送 not reported under this version"
ON_TARGET = {True: "是 yes", False: "否 no", None: ""}


def _both(text) -> str:
    zh, en = in_both_languages(text)
    return safe_text(f"{zh} / {en}" if zh and zh != en else en)


def notice_sheet(wb: Workbook, found: figures.Figures) -> None:
    ws = wb.create_sheet("通知指标 Notices")
    headings = [
        ("指标", "Indicator"),
        ("单位", "Unit"),
        ("数值", "Figure"),
        ("比较基准", "Compared with"),
        ("基准值", "Reference"),
        ("监管要求", "Aim"),
        ("是否达标", "On target"),
        ("依据", "Source"),
    ]
    ws.append(heading_cells(ws, [zh for zh, _ in headings]))
    ws.append(heading_cells(ws, [en for _, en in headings]))
    basis = found.basis or Basis(None, None, found.lpr, found.npl_tolerance)
    for i in notices.notice_indicators(found.sums, basis):
        d = i.definition
        ws.append(
            [
                _both(d.label),
                d.unit,
                NOT_REPORTED if i.value is None else i.value,
                _both(d.reference_label),
                i.reference,
                _both(d.target) if d.target else "",
                ON_TARGET[i.on_target],
                _both(d.source),
            ]
        )
    ws.append([])
    ws.append(heading_cells(ws, ["辖区 Office", *(_both(d.label) for d in notices.DEFINITIONS)]))
    for row in found.units:
        name = row.office.name_zh if row.office else ""
        values = notices.notice_indicators(row.sums, row.basis)
        ws.append(
            [safe_text(name)] + [NOT_REPORTED if v.value is None else v.value for v in values]
        )
