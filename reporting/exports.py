"""What a validation result becomes for people: the issue list (xlsx, CSV) and the uploaded
workbook annotated cell by cell. A "hit" is anything with ``.rule``, ``.count`` and
``.examples`` (``findings.Finding`` or a stored ``RuleHit``)."""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from os import PathLike
from typing import IO, Any, NamedTuple, Protocol

from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.utils.exceptions import CellCoordinatesException

from reporting.documentation import CLASS_LABELS, SEVERITY_LABELS, column_docs, lang_of, pick
from reporting.findings import Example, render_message
from reporting.spec import HEADER_ROWS, Column, ReturnSpec, Rule
from reporting.workbooks import (
    BOLD,
    ERROR_FILL,
    WARNING_FILL,
    Sheet,
    both,
    column_width,
    rows_workbook,
    safe_text,
    write_sheet,
)

MORE_NOT_LISTED = ("另有 {n} 处未列出", "{n} more not listed")
ISSUES_SHEET = "问题清单 Issues"


class Hit(Protocol):
    @property
    def rule(self) -> Rule: ...
    @property
    def count(self) -> int: ...
    @property
    def examples(self) -> list: ...


class IssueRow(NamedTuple):
    code: str
    rule_class: str
    severity: str
    sheet: str
    cell: str
    row: int | None
    column: str
    value: str
    message: str
    hint: str


def _examples(hit: Hit) -> list[dict[str, Any]]:
    return [e.as_dict() if isinstance(e, Example) else e for e in hit.examples]


def _column_of(spec: ReturnSpec, key: str) -> Column | None:
    return spec.column(key) if key in spec.column_keys else None


def _address(spec: ReturnSpec, example: dict[str, Any]) -> str:
    """The example's cell, worked out from its row and column when the reader gave none."""
    if example.get("cell"):
        return example["cell"]
    row, key = example.get("row"), example.get("column") or ""
    if not row:
        return ""
    index = spec.column_keys.index(key) + 1 if key in spec.column_keys else 1
    return f"{get_column_letter(index)}{row}"


def issue_rows(spec: ReturnSpec, hits: Iterable[Hit], lang: str = "zh") -> Iterator[IssueRow]:
    """One row per example, in ``lang``; plus a row for the hits a rule kept no example of."""
    lang = lang_of(lang)
    for hit in sorted(hits, key=lambda h: h.rule.report_order):
        rule = hit.rule
        rule_class = pick(CLASS_LABELS[rule.rule_class], lang)
        severity = pick(SEVERITY_LABELS[rule.severity], lang)
        examples = _examples(hit)
        for ex in examples:
            column = _column_of(spec, ex.get("column") or "")
            yield IssueRow(
                rule.code,
                rule_class,
                severity,
                ex.get("sheet") or "",
                _address(spec, ex),
                ex.get("row"),
                (column.heading_zh if lang == "zh" else column.heading_en) if column else "",
                "" if ex.get("value") is None else str(ex["value"]),
                render_message(rule, ex, spec, lang),
                rule.hint(lang),
            )
        more = hit.count - len(examples)
        if more > 0:
            note = pick(MORE_NOT_LISTED, lang).format(n=more)
            yield IssueRow(rule.code, rule_class, severity, "", "", None, "", "", note, "")


ISSUE_HEADINGS = (
    "规则代码 Rule",
    "类别 Class",
    "严重程度 Severity",
    "工作表 Sheet",
    "单元格 Cell",
    "行 Row",
    "列",
    "Column",
    "填报值 Value",
    "问题说明",
    "Message",
    "修改建议",
    "How to fix",
)


def _bilingual_rows(spec: ReturnSpec, hits: Iterable[Hit]) -> Iterator[list[Any]]:
    hits = list(hits)  # walked twice, once per language; examples are bounded per rule
    for zh, en in zip(issue_rows(spec, hits, "zh"), issue_rows(spec, hits, "en"), strict=True):
        yield [
            safe_text(v)
            for v in (
                zh.code,
                f"{zh.rule_class} / {en.rule_class}",
                f"{zh.severity} / {en.severity}",
                zh.sheet,
                zh.cell,
                zh.row,
                zh.column,
                en.column,
                zh.value,
                zh.message,
                en.message,
                zh.hint,
                en.hint,
            )
        ]


ISSUE_WIDTHS = (12, 16, 16, 16, 8, 7, 24, 28, 18, 48, 48, 40, 40)


def _issue_sheet(spec: ReturnSpec, hits: Iterable[Hit]) -> Sheet:
    """The bilingual issue list as a sheet."""
    return Sheet(ISSUES_SHEET, ISSUE_HEADINGS, _bilingual_rows(spec, hits), ISSUE_WIDTHS)


def issue_list_xlsx(spec: ReturnSpec, hits: Iterable[Hit]) -> bytes:
    return rows_workbook(_issue_sheet(spec, hits))


def issue_list_csv(spec: ReturnSpec, hits: Iterable[Hit]) -> Iterator[str]:
    """The issue list as CSV chunks for a StreamingHttpResponse; the BOM makes Excel read
    it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow(ISSUE_HEADINGS)
    yield "\ufeff" + flush()
    for row in _bilingual_rows(spec, hits):
        writer.writerow(row)
        yield flush()


def _marks(spec: ReturnSpec, hits: Iterable[Hit]) -> dict[int, dict[int, list[tuple]]]:
    """row -> column index -> [(rule, example)] for the examples on the data sheet."""
    marks: dict[int, dict[int, list[tuple]]] = {}
    for hit in hits:
        for ex in _examples(hit):
            if ex.get("sheet") not in ("", None, spec.sheet):
                continue
            try:
                letter, row = coordinate_from_string(_address(spec, ex).replace("$", ""))
            except CellCoordinatesException:
                continue  # no cell to mark: a file-level issue, or an address we cannot place
            marks.setdefault(row, {}).setdefault(column_index_from_string(letter), []).append(
                (hit.rule, ex)
            )
    return marks


def _date_format(value: datetime | date | time) -> str:
    if isinstance(value, time):
        return "hh:mm:ss"
    if isinstance(value, datetime) and value.time() != time(0):
        return "yyyy-mm-dd hh:mm:ss"
    return "yyyy-mm-dd"


def _annotated_cell(ws, value: Any, found: list[tuple], spec: ReturnSpec) -> Cell:
    cell = WriteOnlyCell(ws, value=value)
    errors = any(rule.blocks for rule, _ in found)
    cell.fill = ERROR_FILL if errors else WARNING_FILL
    notes = [
        f"{rule.code} {both(SEVERITY_LABELS[rule.severity])}\n"
        f"{render_message(rule, ex, spec, 'zh')}\n{render_message(rule, ex, spec, 'en')}"
        for rule, ex in found
    ]
    comment = Comment("\n\n".join(notes), "校验 Validation")
    comment.width, comment.height = 320, min(400, 90 * len(notes))
    cell.comment = comment
    return cell


def annotated_workbook(
    source_path: str | PathLike,
    spec: ReturnSpec,
    hits: Iterable[Hit],
    out: str | PathLike | IO[bytes],
) -> None:
    """Copy the upload's data sheet to ``out`` with each offending cell filled (red: error,
    amber: warning) and commented, and an issue-list sheet. Streams both ways, so memory
    stays flat whatever the row count; a row-level issue marks the row's first cell."""
    hits = list(hits)
    marks = _marks(spec, hits)
    # data_only: the copy holds the cached values the reader saw, never the upload's formulas.
    source = load_workbook(source_path, read_only=True, data_only=True)
    try:
        src = source[spec.sheet]
        src.reset_dimensions()  # a wrong <dimension> record must not cut rows off
        target = Workbook(write_only=True)
        ws = target.create_sheet(spec.sheet)
        for cdoc in column_docs(spec):
            ws.column_dimensions[cdoc.letter].width = column_width(cdoc.column)
        ws.freeze_panes = f"A{HEADER_ROWS + 1}"
        for row_number, values in enumerate(src.iter_rows(values_only=True), start=1):
            found_in_row = marks.get(row_number, {})
            width = max([len(values), *found_in_row])
            out_row = []
            for col in range(1, width + 1):
                value = safe_text(values[col - 1] if col <= len(values) else None)
                if col in found_in_row:
                    out_row.append(_annotated_cell(ws, value, found_in_row[col], spec))
                elif row_number <= HEADER_ROWS:
                    cell = WriteOnlyCell(ws, value=value)
                    cell.font = BOLD
                    out_row.append(cell)
                elif isinstance(value, datetime | date | time):
                    # Without a format, dates would show as serial numbers.
                    # types-openpyxl gives WriteOnlyCell a narrower value than Cell: no dates.
                    cell = WriteOnlyCell(ws, value=value)  # type: ignore[arg-type]
                    cell.number_format = _date_format(value)
                    out_row.append(cell)
                else:
                    out_row.append(value)
            ws.append(out_row)
        write_sheet(target, _issue_sheet(spec, hits))
        target.save(out)
    finally:
        source.close()
