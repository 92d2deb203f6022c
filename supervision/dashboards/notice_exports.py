"""The figures workbook's sheet of what the notices measure (``notice_indicators.py``): the
subtree's figures with their comparison, aim and source article, then each child office's and
each institution's, as the dashboard's drill-down and ranking show them."""

from openpyxl import Workbook

from reporting.workbooks import heading_cells, in_both_languages, safe_text
from supervision.dashboards import figures
from supervision.dashboards import notice_indicators as notices
from supervision.dashboards.indicators import Basis, Indicator
from supervision.dashboards.weak_regions import Weak

NOT_REPORTED = "该版本未报送 not reported under this version"
ON_TARGET = {True: "是 yes", False: "否 no", None: ""}


def _both(text) -> str:
    zh, en = in_both_languages(text)
    return safe_text(f"{zh} / {en}" if zh and zh != en else en)


def _figures(values: list[Indicator]) -> list:
    return [NOT_REPORTED if i.value is None else i.value for i in values]


def notice_sheet(wb: Workbook, found: figures.Figures, weak: Weak) -> None:
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
        ("报送数/汇总数", "Returns reporting it / summed"),
    ]
    ws.append(heading_cells(ws, [zh for zh, _ in headings]))
    ws.append(heading_cells(ws, [en for _, en in headings]))
    basis = found.basis or Basis(None, None, found.lpr, found.npl_tolerance)
    for i in notices.notice_indicators(weak.sums(found.sums), weak.basis(basis)):
        ws.append(
            [
                _both(i.label),
                i.unit,
                NOT_REPORTED if i.value is None else i.value,
                _both(i.reference_label),
                i.reference,
                _both(i.target) if i.target else "",
                ON_TARGET[i.on_target],
                safe_text(f"{i.source.zh} / {i.source.en}") if i.source else "",
                "{} / {}".format(*notices.reported_by(notices.BY_KEY[i.key], found.versions)),
            ]
        )
    labels = [_both(d.label) for d in notices.DEFINITIONS]
    ws.append([])
    ws.append(heading_cells(ws, ["辖区 Office", *labels]))
    for row in found.units:
        name = row.office.name_zh if row.office else ""
        own = [row.office.path] if row.office else []
        values = notices.notice_indicators(weak.sums(row.sums, own), weak.basis(row.basis, own))
        ws.append([safe_text(name), *_figures(values)])
    ws.append([])
    ws.append(heading_cells(ws, ["机构 Institution", "统一社会信用代码 Credit code", *labels]))
    for row in found.institutions:
        assert row.institution is not None, "the workbook reads every institution's"
        pk = row.institution.pk
        sums, basis = weak.sums(row.sums, institution=pk), weak.basis(row.basis, institution=pk)
        values = notices.notice_indicators(sums, basis, row.kind)
        name, code = row.institution.name_zh, row.institution.credit_code
        ws.append([safe_text(name), code, *_figures(values)])
