"""The spec's documents: the Excel template, the issue exports and the annotated workbook."""

import csv
import io
from datetime import date
from types import SimpleNamespace

import openpyxl
import pytest

from reporting.documentation import rule_docs
from reporting.exports import (
    ISSUES_SHEET,
    annotated_workbook,
    issue_list_csv,
    issue_list_xlsx,
    issue_rows,
)
from reporting.findings import Example, Finding, render_message
from reporting.rulebook import rule as generic_rule
from reporting.spec import HEADER_ROWS, INSTRUCTIONS_SHEET, META_SHEET, ColumnType
from reporting.specs import ALL, get_spec
from reporting.workbooks import build_template, safe_text

LOANS = get_spec("SME-LOANS", "2025")
INSURANCE = get_spec("SME-INSURANCE", "2025")
RESULT = get_spec("SCREENING-RESULT", "2025")
INJECTION = '=HYPERLINK("http://evil.example/","click")'
IDS = [s.ident for s in ALL]


def _open(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _texts(ws) -> set[str]:
    return {str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None}


def _spec_rule(spec, code):
    return next(r for r in spec.rules if r.code == code)


# -- the template -------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ALL, ids=IDS)
def test_template_sheets_in_order_with_hidden_meta(spec):
    wb = _open(build_template(spec, generated=date(2025, 4, 1)))
    assert wb.sheetnames == [INSTRUCTIONS_SHEET, spec.sheet, META_SHEET]
    meta = wb[META_SHEET]
    assert meta.sheet_state == "hidden"
    assert [(meta["A1"].value, meta["B1"].value), (meta["A2"].value, meta["B2"].value)] == [
        ("spec", spec.code),
        ("version", spec.version),
    ]
    assert (meta["A3"].value, meta["B3"].value) == ("generated", "2025-04-01")
    assert wb[INSTRUCTIONS_SHEET].sheet_state == wb[spec.sheet].sheet_state == "visible"


@pytest.mark.parametrize("spec", ALL, ids=IDS)
def test_template_headers_are_the_bilingual_headings(spec):
    ws = _open(build_template(spec))[spec.sheet]
    rows = list(ws.iter_rows(min_row=1, max_row=HEADER_ROWS, values_only=True))
    assert list(rows[0]) == [c.heading_zh for c in spec.columns]
    assert list(rows[1]) == [c.heading_en for c in spec.columns]
    assert ws.max_row == HEADER_ROWS  # no stray data rows for the reader to trip over


@pytest.mark.parametrize("spec", ALL, ids=IDS)
def test_choice_columns_have_drop_downs_of_chinese_labels(spec):
    ws = _open(build_template(spec))[spec.sheet]
    by_column = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        for cells in dv.sqref.ranges:
            by_column[cells.min_col] = (dv, cells)
    expected = [
        (i, c)
        for i, c in enumerate(spec.columns, start=1)
        if c.type in (ColumnType.CHOICE, ColumnType.FLAG)
    ]
    assert sorted(by_column) == [i for i, _ in expected]
    for index, column in expected:
        dv, cells = by_column[index]
        assert (cells.min_row, cells.max_col) == (HEADER_ROWS + 1, index)
        assert dv.formula1 == '"' + ",".join(c.label_zh for c in column.choices) + '"'


def test_yes_no_columns_offer_shi_and_fou():
    ws = _open(build_template(RESULT))[RESULT.sheet]
    assert '"是,否"' in {dv.formula1 for dv in ws.data_validations.dataValidation}


@pytest.mark.parametrize("spec", ALL, ids=IDS)
def test_header_rows_frozen_and_locked_data_area_editable(spec):
    ws = _open(build_template(spec))[spec.sheet]
    assert ws.freeze_panes == "A3"
    protection = ws.protection
    assert protection.sheet
    # False means "allowed" in OOXML: rows can be added, removed, sorted and filtered...
    assert not (protection.insertRows or protection.deleteRows)
    assert not (protection.sort or protection.autoFilter)
    # ...columns cannot be added or removed.
    assert protection.insertColumns and protection.deleteColumns
    for index in range(1, len(spec.columns) + 1):
        letter = openpyxl.utils.get_column_letter(index)
        assert ws[f"{letter}1"].protection.locked and ws[f"{letter}2"].protection.locked
        assert ws.column_dimensions[letter].protection.locked is False
        assert ws.column_dimensions[letter].width > 8


def test_number_formats_follow_column_types():
    formats = {
        ColumnType.AMOUNT: "#,##0.00",
        ColumnType.COUNT: "0",
        ColumnType.RATE: "0.00",
        ColumnType.DATE: "yyyy-mm-dd",
        ColumnType.CREDIT_CODE: "@",
        ColumnType.TEXT: "@",
        ColumnType.DIVISION: "@",
    }
    seen = set()
    for spec in (LOANS, RESULT):
        ws = _open(build_template(spec))[spec.sheet]
        for index, column in enumerate(spec.columns, start=1):
            if column.type in formats:
                letter = openpyxl.utils.get_column_letter(index)
                assert ws.column_dimensions[letter].number_format == formats[column.type]
                seen.add(column.type)
    assert seen == set(formats)


@pytest.mark.parametrize("spec", ALL, ids=IDS)
def test_instructions_name_every_rule_and_column(spec):
    texts = _texts(_open(build_template(spec))[INSTRUCTIONS_SHEET])
    codes = {d.rule.code for d in rule_docs(spec)}
    assert {r.code for r in spec.rules} <= codes
    assert codes <= texts
    assert {c.key for c in spec.columns} <= texts
    assert {c.heading_zh for c in spec.columns} <= texts
    assert {r.message_zh for r in spec.rules} <= texts
    assert {r.hint_en for r in spec.rules} <= texts
    assert f"{spec.title_zh}  {spec.title_en}" in texts


def test_implied_cell_rules_follow_column_types():
    loans = {d.rule.code for d in rule_docs(LOANS)}
    result = {d.rule.code for d in rule_docs(RESULT)}
    assert {"S001", "S007", "S008", "V001", "V002", "V003", "V004", "V007", "V009"} <= loans
    assert {"V011"} <= loans  # the county is the key
    assert not {"V005", "V006", "V008"} & loans
    assert {"V005", "V006", "V008", "V011", "V012", "V013"} <= result
    county = next(d for d in rule_docs(LOANS) if d.rule.code == "V007")
    assert [c.key for c in county.columns] == ["county"]


# -- exports of a validation result ---------------------------------------------------------


def test_safe_text_escapes_formula_starts_only():
    assert safe_text(INJECTION) == "'" + INJECTION
    assert safe_text("+1+cmd|' /C calc'!A0") == "'+1+cmd|' /C calc'!A0"
    assert safe_text("@SUM(A1)") == "'@SUM(A1)"
    assert safe_text("-2+3") == "'-2+3"
    assert safe_text("-12.5") == "-12.5"  # a number, not a formula: shown as typed
    assert safe_text("普惠") == "普惠"
    assert safe_text(12) == 12


def test_render_message_fills_placeholders_in_each_language():
    v002 = generic_rule("V002")
    example = Example(sheet=LOANS.sheet, row=5, column="sme_balance", cell="B5", value="abc")
    assert render_message(v002, example, LOANS, "zh") == (
        "“普惠型小微企业贷款余额（万元）”应为数字，填的是“abc”。"
    )
    assert render_message(v002, example.as_dict(), LOANS, "en") == (
        "'Inclusive SME loan balance (10,000 CNY)' must be a number; it holds 'abc'."
    )
    s007 = generic_rule("S007")
    # A placeholder given in both languages is filled in the reader's; a missing one is empty.
    expected = {"zh": "SME-LOANS（小微）", "en": "SME-LOANS (SME loans)"}
    example = Example(params={"expected": expected})
    assert render_message(s007, example, None, "zh-hans") == "这不是 SME-LOANS（小微） 的模板：。"
    assert render_message(s007, example, None, "en") == (
        "This is not the template of SME-LOANS (SME loans): ."
    )


def _hits():
    v002 = Finding(generic_rule("V002"))
    v002.add(Example(LOANS.sheet, 3, "sme_balance", "B3", "12万"))
    v002.add(Example(LOANS.sheet, 4, "all_balance", "", INJECTION))  # cell from the column
    v002.count = 7  # five more than the examples kept
    q201 = SimpleNamespace(  # a stored issue: examples as dicts
        rule=_spec_rule(LOANS, "SL-Q201"),
        count=1,
        examples=[
            {
                "sheet": LOANS.sheet,
                "row": 6,
                "column": "issued_rate",
                "cell": "M6",
                "value": "0.0385",
                "params": {},
            }
        ],
    )
    return [v002, q201]


def test_issue_rows_list_each_example_with_cell_and_filled_message():
    rows = list(issue_rows(LOANS, _hits(), "zh"))
    assert [(r.code, r.cell, r.row) for r in rows] == [
        ("V002", "B3", 3),
        ("V002", "D4", 4),
        ("V002", "", None),
        ("SL-Q201", "M6", 6),
    ]
    first = rows[0]
    assert (first.rule_class, first.severity, first.sheet) == ("有效性", "错误", LOANS.sheet)
    assert first.column == "普惠型小微企业贷款余额（万元）"
    assert first.message == "“普惠型小微企业贷款余额（万元）”应为数字，填的是“12万”。"
    assert first.hint == generic_rule("V002").hint_zh
    assert rows[2].message == "另有 5 处未列出"
    assert rows[3].message == "利率 0.0385 小于 1，疑似填成了小数（3.85% 应填 3.85）。"
    english = list(issue_rows(LOANS, _hits(), "en"))
    assert english[2].message == "5 more not listed"
    assert english[3].severity == "warning"
    assert english[3].message.startswith("The rate 0.0385 is below 1")


def test_issue_list_xlsx_has_both_languages_and_escapes_values():
    ws = _open(issue_list_xlsx(LOANS, _hits()))[ISSUES_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 1 + 4
    head = rows[0]
    assert head[0] == "规则代码 Rule"
    by_cell = {r[head.index("单元格 Cell")]: r for r in rows[1:]}
    b3 = by_cell["B3"]
    assert b3[head.index("问题说明")].startswith("“普惠型小微企业贷款余额（万元）”应为数字")
    assert b3[head.index("Message")].startswith("'Inclusive SME loan balance")
    assert b3[head.index("严重程度 Severity")] == "错误 / error"
    d4 = by_cell["D4"]
    assert d4[head.index("填报值 Value")] == "'" + INJECTION
    for row in ws.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)  # nothing runs as a formula


def test_issue_list_csv_starts_with_bom_and_escapes_values():
    chunks = list(issue_list_csv(LOANS, _hits()))
    text = "".join(chunks)
    assert text.startswith("\ufeff规则代码 Rule,")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == 1 + 4
    d4 = next(r for r in rows if r[4] == "D4")
    assert d4[8] == "'" + INJECTION
    assert (
        d4[10] == "'All-loan balance (10,000 CNY)' must be a number; it holds '" + INJECTION + "'."
    )
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)


# -- the annotated workbook ------------------------------------------------------------------


def _source(tmp_path):
    wb = _open(build_template(INSURANCE))
    ws = wb[INSURANCE.sheet]
    rows = [
        ["property", 10, 1.5, 100, 0, 0, 3, 1, 0.5],
        ["liability", "十件", 2, 50, 1, 1, None, 0, 0],
        ["cargo", 5, 3, 1, 0, 0, 45, 1, 1],
        ["health", 5, 3, 10, 0, 0, None, 9, 1],
        ["accident", 1, 1, 10, 0, 0, None, 0, 0],
    ]
    for row in rows:
        ws.append(row)
    ws["A8"] = INJECTION
    ws["A8"].data_type = "s"  # stored as text, as a filer's pasted string would be
    path = tmp_path / "upload.xlsx"
    wb.save(path)
    return path, rows


def _insurance_hits():
    v004 = Finding(generic_rule("V004"))
    v004.add(Example(INSURANCE.sheet, 4, "policies", "B4", "十件"))
    q201 = Finding(_spec_rule(INSURANCE, "SI-Q201"))
    q201.add(Example(INSURANCE.sheet, 5, "sum_insured", "", "1"))  # cell from the column key
    q202 = Finding(_spec_rule(INSURANCE, "SI-Q202"))
    q202.add(Example(INSURANCE.sheet, 5, "settle_days", "G5", "45"))
    v102 = Finding(_spec_rule(INSURANCE, "SI-V102"))
    v102.add(Example(INSURANCE.sheet, 6))  # a row-level issue: the row's first cell
    both = Finding(generic_rule("V002"))  # an error on a cell that also has a warning
    both.add(Example(INSURANCE.sheet, 5, "settle_days", "G5", "45"))
    elsewhere = Finding(generic_rule("S020"))
    elsewhere.add(Example(sheet="Sheet2", row=2, cell="A2"))  # not on the data sheet
    return [v004, q201, q202, v102, both, elsewhere]


def test_annotated_workbook_marks_exactly_the_offending_cells(tmp_path):
    source, rows = _source(tmp_path)
    out = tmp_path / "annotated.xlsx"
    annotated_workbook(source, INSURANCE, _insurance_hits(), out)

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [INSURANCE.sheet, ISSUES_SHEET]
    ws = wb[INSURANCE.sheet]
    marked = {
        cell.coordinate: cell.fill.fgColor.rgb[-6:]
        for row in ws.iter_rows()
        for cell in row
        if cell.fill.fill_type == "solid"
    }
    assert marked == {"B4": "FFC7CE", "D5": "FFEB9C", "G5": "FFC7CE", "A6": "FFC7CE"}
    commented = {cell.coordinate for row in ws.iter_rows() for cell in row if cell.comment}
    assert commented == set(marked)

    b4 = ws["B4"].comment.text
    assert "V004" in b4
    assert "“有效保单件数（件）”应为整数（十件）。" in b4
    assert "'Policies in force (items)' must be a whole number (十件)." in b4
    g5 = ws["G5"].comment.text
    assert "SI-Q202" in g5 and "V002" in g5
    assert "平均结案天数 45 超过 30 天。" in g5
    assert "SI-V102" in ws["A6"].comment.text

    # The data are copied as they were, headers included; text never turns into a formula.
    assert [c.value for c in ws[1]] == [c.heading_zh for c in INSURANCE.columns]
    assert [c.value for c in ws[2]] == [c.heading_en for c in INSURANCE.columns]
    for number, row in enumerate(rows, start=HEADER_ROWS + 1):
        assert [c.value for c in ws[number]] == row
    assert ws["A8"].value == "'" + INJECTION and ws["A8"].data_type == "s"
    assert ws.freeze_panes == "A3"
    issues = list(wb[ISSUES_SHEET].iter_rows(values_only=True))
    assert len(issues) == 1 + 6
