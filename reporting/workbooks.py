"""Workbooks and files made from a return spec: the Excel template with its instructions
sheet; and what every export of the portal writes with: a heading row, rows to a workbook
(``rows_workbook``), a workbook to an .xlsx download (``xlsx_response``). Every string
written passes through ``safe_text``.
"""

import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from reporting.documentation import (
    YES_NO_LABELS,
    ColumnDoc,
    SpecDoc,
    column_docs,
    rule_docs,
    spec_doc,
)
from reporting.spec import (
    HEADER_ROWS,
    INSTRUCTIONS_SHEET,
    META_SHEET,
    Column,
    ColumnType,
    ReturnSpec,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

T = ColumnType

NUMBER_FORMATS = {
    T.AMOUNT: "#,##0.00",
    T.COUNT: "0",
    T.RATE: "0.00",
    T.DECIMAL: "0.00",
    T.DATE: "yyyy-mm-dd",
}
TEXT_FORMAT = "@"  # codes keep their leading zeros

# Excel's own "bad" and "neutral" fills: red for errors, amber for warnings.
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
HEAD_FILL = PatternFill("solid", fgColor="9B1C1C")
SUBHEAD_FILL = PatternFill("solid", fgColor="EEF1F4")
HEAD_FONT = Font(bold=True, color="FFFFFF")
SUBHEAD_FONT = Font(italic=True, color="5B6775")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
LOCKED, UNLOCKED = Protection(locked=True), Protection(locked=False)
LAST_EXCEL_ROW = 1_048_576


def both(pair: tuple[str, str]) -> str:
    return f"{pair[0]} {pair[1]}"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d[\d,]*)?\.?\d+(e[+-]?\d+)?", re.IGNORECASE)


def in_both_languages(text: Any) -> tuple[str, str]:
    """A (lazily) translated text in Chinese and in English, whatever the reader's language."""
    with translation.override("zh-hans"):
        zh = str(text)
    with translation.override("en"):
        return zh, str(text)


def bilingual(text: Any) -> str:
    """ "中文 / English" for an export heading or label; one of them when they are the same."""
    zh, en = in_both_languages(text)
    return zh if zh == en else f"{zh} / {en}"


def safe_text(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe.

    A plain signed number ("-12.5") is left alone: spreadsheets read it as a number, never as
    a formula, and filers must see their negative values as they typed them.
    """
    if (
        isinstance(value, str)
        and value.startswith(_FORMULA_START)
        and not _PLAIN_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


# -- the template ------------------------------------------------------------------------


def _display_width(text: str) -> int:
    # Chinese characters take two character widths in Excel's default fonts.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def column_width(column: Column) -> int:
    # Headings wrap onto two lines past 30 characters rather than make very wide columns.
    return min(max(_display_width(column.heading_zh), _display_width(column.heading_en)), 30) + 4


def _put(ws, row: int, values: Iterable[Any], font: Font | None = None, fill=None) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=safe_text(value))
        cell.alignment = WRAP
        if font:
            cell.font = font
        if fill:
            cell.fill = fill


def _write_instructions(ws, spec: ReturnSpec, doc: SpecDoc) -> None:
    ws.sheet_properties.tabColor = "9B1C1C"
    for letter, width in zip("ABCDEFGHIJ", (12, 26, 30, 24, 34, 34, 30, 34, 26, 34), strict=True):
        ws.column_dimensions[letter].width = width
    ws["A1"] = safe_text(f"{spec.title_zh}  {spec.title_en}")
    ws["A1"].font = Font(bold=True, size=14)
    row = _write_facts(ws, spec, doc, row=3)
    row = _write_columns(ws, spec, row=row + 1)
    _write_rules(ws, spec, row=row + 2)
    ws.protection.sheet = True  # reference text: read, select and copy, not edit


def _write_facts(ws, spec: ReturnSpec, doc: SpecDoc, row: int) -> int:
    """The return's facts and how to fill it, from ``row``; returns the row after them."""
    supersedes = (
        f"（替代 {spec.supersedes} 版 / supersedes {spec.supersedes}）" if spec.supersedes else ""
    )
    how_zh = (
        f"在“{spec.sheet}”工作表第 {HEADER_ROWS + 1} 行起每行填写一条记录；第 1、2 行为中英文表头，"
        "请勿修改表头、列顺序或工作表名称。选项列可从下拉列表选择，也可填写代码或英文标签。"
    )
    how_en = (
        f"Enter one record per row in the sheet '{spec.sheet}' from row {HEADER_ROWS + 1}; "
        "rows 1 and 2 hold the Chinese and English headings. Do not change the headings, the "
        "column order or the sheet names. Choice columns take the drop-down label, the code "
        "or the English label."
    )
    facts = (
        ("报表代码 Return code", spec.code),
        ("版本 Version", f"{spec.version}{supersedes}"),
        ("报送周期 Period", f"{doc.period_zh} / {doc.period_en}"),
        ("报送主体 Filer", f"{doc.filer_zh} / {doc.filer_en}"),
        ("适用起始期 Effective from", spec.effective_from),
        ("数据工作表 Data sheet", spec.sheet),
        ("单位 Units", f"{doc.units_zh}\n{doc.units_en}"),
        ("说明 Description", f"{spec.description_zh}\n{spec.description_en}"),
        ("填写方法 How to fill", f"{how_zh}\n{how_en}"),
    )
    for label, value in facts:
        _put(ws, row, (label, value))
        ws.cell(row=row, column=1).font = BOLD
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=10)
        # Excel never fits a merged cell's height to its text, so estimate the lines.
        lines = sum(1 + _display_width(line) // 250 for line in value.split("\n"))
        ws.row_dimensions[row].height = 16 * lines + 2
        row += 1
    return row


def _write_columns(ws, spec: ReturnSpec, row: int) -> int:
    """The table of the return's columns, from ``row``; returns its last row."""
    _put(ws, row, ("栏目 Columns",), font=Font(bold=True, size=12))
    row += 1
    _put(
        ws,
        row,
        (
            "列 Col",
            "表头（中文）",
            "Heading (English)",
            "字段 Key",
            "类型 Type",
            "单位 Unit",
            "必填 Required",
            "可选值 Allowed values",
            "取值范围 Bounds",
            "说明 Notes",
        ),
        font=HEAD_FONT,
        fill=HEAD_FILL,
    )
    for cdoc in column_docs(spec):
        c = cdoc.column
        row += 1
        _put(
            ws,
            row,
            (
                cdoc.letter,
                c.heading_zh,
                c.heading_en,
                c.key,
                f"{cdoc.type_zh} / {cdoc.type_en}",
                f"{c.unit} ({cdoc.unit_en})" if c.unit else "",
                both(YES_NO_LABELS[0] if c.required else YES_NO_LABELS[1]),
                cdoc.choices_text,
                cdoc.bounds,
                "\n".join(n for n in (c.notes_zh, c.notes_en) if n),
            ),
        )
    return row


def _write_rules(ws, spec: ReturnSpec, row: int) -> None:
    """The table of the return's rules, from ``row``."""
    _put(ws, row, ("校验规则 Rules",), font=Font(bold=True, size=12))
    row += 1
    _put(
        ws,
        row,
        (
            "代码 Code",
            "类别 Class",
            "严重程度 Severity",
            "适用于 Applies to",
            "问题说明",
            "Message",
            "修改建议",
            "How to fix",
            "空白单元格 Blank cells",
        ),
        font=HEAD_FONT,
        fill=HEAD_FILL,
    )
    for rdoc in rule_docs(spec):
        r = rdoc.rule
        row += 1
        _put(
            ws,
            row,
            (
                r.code,
                f"{rdoc.class_zh} / {rdoc.class_en}",
                f"{rdoc.severity_zh} / {rdoc.severity_en}",
                f"{rdoc.applies_zh}\n{rdoc.applies_en}",
                r.message_zh,
                r.message_en,
                r.hint_zh,
                r.hint_en,
                f"{rdoc.blank_zh}\n{rdoc.blank_en}",
            ),
        )


def _header_comment(cdoc: ColumnDoc) -> Comment:
    c = cdoc.column
    lines = [
        f"{c.label_zh} / {c.label_en}",
        f"类型 Type: {cdoc.type_zh} / {cdoc.type_en}",
        f"必填 Required: {both(YES_NO_LABELS[0] if c.required else YES_NO_LABELS[1])}",
    ]
    if cdoc.bounds:
        lines.append(f"范围 Bounds: {cdoc.bounds}")
    if cdoc.choices:
        lines.append(f"可选值 Values:\n{cdoc.choices_text}")
    lines.extend(n for n in (c.notes_zh, c.notes_en) if n)
    comment = Comment("\n".join(lines), "填报说明 Instructions")
    comment.width, comment.height = 260, 40 + 16 * sum(s.count("\n") + 1 for s in lines)
    return comment


def _choice_validation(cdoc: ColumnDoc, meta, meta_column: int) -> DataValidation:
    labels = [c.label_zh for c in cdoc.choices]
    inline = '"' + ",".join(labels) + '"'
    if len(inline) <= 255 and not any("," in x or '"' in x for x in labels):
        formula = inline
    else:
        # Excel caps an inline list at 255 characters: longer lists live on the hidden sheet.
        for i, label in enumerate(labels, start=1):
            meta.cell(row=i, column=meta_column, value=safe_text(label))
        letter = get_column_letter(meta_column)
        formula = f"'{META_SHEET}'!${letter}$1:${letter}${len(labels)}"
    accepted = "; ".join(f"{c.label_zh} / {c.value} / {c.label_en}" for c in cdoc.choices)
    validation = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        # A warning, not a stop: the reader also accepts the code and the English label.
        errorStyle="warning",
        errorTitle="请从列表选择 Pick a value",
        error=f"可选值 Allowed: {accepted}"[:255],
    )
    validation.add(f"{cdoc.letter}{HEADER_ROWS + 1}:{cdoc.letter}{LAST_EXCEL_ROW}")
    return validation


def _write_data_sheet(ws, spec: ReturnSpec, meta) -> None:
    last = get_column_letter(len(spec.columns))
    meta_column = 4  # hidden-sheet columns D onwards hold long drop-down lists
    for cdoc in column_docs(spec):
        c = cdoc.column
        col = column_index_from_string(cdoc.letter)
        for row, text, font, fill in (
            (1, c.heading_zh, HEAD_FONT, HEAD_FILL),
            (2, c.heading_en, SUBHEAD_FONT, SUBHEAD_FILL),
        ):
            cell = ws.cell(row=row, column=col, value=safe_text(text))
            cell.font, cell.fill, cell.protection = font, fill, LOCKED
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.cell(row=1, column=col).comment = _header_comment(cdoc)
        # Column styles reach every cell a filer types into: the number format, and unlocked
        # so that only the two header rows are protected.
        dim = ws.column_dimensions[cdoc.letter]
        dim.width = column_width(c)
        dim.number_format = NUMBER_FORMATS.get(c.type, TEXT_FORMAT)
        dim.protection = UNLOCKED
        if cdoc.choices:
            ws.add_data_validation(_choice_validation(cdoc, meta, meta_column))
            meta_column += 1
    ws.row_dimensions[1].height = 36
    ws.row_dimensions[2].height = 30
    ws.freeze_panes = f"A{HEADER_ROWS + 1}"
    ws.auto_filter.ref = f"A{HEADER_ROWS}:{last}{HEADER_ROWS}"
    ws.print_title_rows = f"1:{HEADER_ROWS}"
    protection = ws.protection
    protection.sheet = True
    # In OOXML a True here means "forbidden": filers may add, remove, sort and filter rows and
    # resize columns, but not add or remove columns or touch the headers.
    protection.insertRows = protection.deleteRows = False
    protection.sort = protection.autoFilter = False
    protection.formatColumns = protection.formatRows = False


def build_template(spec: ReturnSpec, generated: date | None = None) -> bytes:
    """The Excel template of ``spec``: instructions, the data sheet, the hidden meta sheet."""
    wb = Workbook()
    instructions = wb.active
    assert instructions is not None  # a new workbook has one sheet, and it is active
    instructions.title = INSTRUCTIONS_SHEET
    data = wb.create_sheet(spec.sheet)
    meta = wb.create_sheet(META_SHEET)
    _write_instructions(instructions, spec, spec_doc(spec))
    _write_data_sheet(data, spec, meta)

    for row, (label, value) in enumerate(
        (
            ("spec", spec.code),
            ("version", spec.version),
            ("generated", (generated or timezone.localdate()).isoformat()),
        ),
        start=1,
    ):
        meta.cell(row=row, column=1, value=label)
        meta.cell(row=row, column=2, value=safe_text(value)).number_format = TEXT_FORMAT
    meta.sheet_state = "hidden"
    meta.protection.sheet = True

    wb.properties.title = f"{spec.code} {spec.version}"
    wb.properties.creator = "SME finance supervision portal"
    return workbook_bytes(wb)


# -- exports: rows to a workbook, a workbook to a download ------------------------------------


def heading_cells(
    ws, texts: Iterable[Any], font: Font = HEAD_FONT, fill: PatternFill | None = HEAD_FILL
) -> list[Cell]:
    """A heading row for a write-only sheet: each text in a styled cell."""
    cells = []
    for text in texts:
        cell = WriteOnlyCell(ws, value=safe_text(text))
        cell.font = font
        if fill is not None:
            cell.fill = fill
        cells.append(cell)
    return cells


def add_sheet(
    wb: Workbook,
    title: str,
    headings: Iterable[Any],
    widths: Sequence[float] = (),
    freeze: str | None = "A2",
):
    """A new sheet of the write-only ``wb``: column widths, the heading row, frozen."""
    ws = wb.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = freeze
    ws.append(heading_cells(ws, headings))
    return ws


def append_rows(ws, rows: Iterable[Iterable[Any]]) -> int:
    """Each row appended with its text cells escaped (``safe_text``); how many there were."""
    count = 0
    for row in rows:
        ws.append([safe_text(value) for value in row])
        count += 1
    return count


@dataclass(frozen=True)
class Sheet:
    """One sheet of an export: its title, heading row, rows and (optionally) column widths."""

    title: str
    headings: Sequence[Any]
    rows: Iterable[Iterable[Any]]
    widths: Sequence[float] = ()


def write_sheet(wb: Workbook, sheet: Sheet) -> int:
    """``sheet`` added to the write-only ``wb``; returns its number of rows."""
    return append_rows(add_sheet(wb, sheet.title, sheet.headings, sheet.widths), sheet.rows)


def workbook_bytes(wb: Workbook) -> bytes:
    """The saved workbook. A write-only one streams its rows into a temporary file, so only
    the finished, compressed workbook is held in memory."""
    with tempfile.TemporaryFile() as out:
        wb.save(out)
        out.seek(0)
        return out.read()


def rows_workbook(*sheets: Sheet) -> bytes:
    """A workbook of these sheets, written row by row (openpyxl's write-only mode), so that
    memory stays flat however many rows there are."""
    wb = Workbook(write_only=True)
    for sheet in sheets:
        write_sheet(wb, sheet)
    return workbook_bytes(wb)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """The workbook ``content`` as an .xlsx download named ``filename``. (A workbook in a
    file is sent by ``FileResponse(file, as_attachment=True, filename=...)``.)"""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
