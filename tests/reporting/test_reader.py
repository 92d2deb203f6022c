"""Reading returns: the template and header checks, and cells typed the way filers type them.
Each bad input gets its own rule and a message that names the sheet, cell and value."""

from datetime import date

import pytest

from reporting import reader, synthetic
from reporting.findings import FileRejected, render_message
from reporting.rules import Context, apply_rules
from reporting.spec import HEADER_ROWS
from tests.reporting.returns import (
    INSURANCE,
    LOANS,
    LOANS_2023,
    RESULT,
    loan_row,
    workbook,
)


def findings_of(path, spec=LOANS, **params):
    table = reader.read_return(path, spec)
    return {f.rule.code: f for f in apply_rules(table, Context.defaults(**params))}, table


def rejected(path, spec=LOANS):
    with pytest.raises(FileRejected) as caught:
        reader.read_return(path, spec)
    return {f.rule.code: f for f in caught.value.findings}


def test_a_clean_return_reads_typed_with_no_findings(tmp_path):
    path = workbook(tmp_path / "ok.xlsx", [loan_row("350102"), loan_row("350103")])
    found, table = findings_of(path)
    assert found == {}
    assert table.frame.height == 2
    first = table.frame.row(0, named=True)
    assert first["_row"] == HEADER_ROWS + 1
    assert first["sme_balance"] == 1000.0 and first["county"] == "350102"


def test_the_wrong_template_is_named(tmp_path):
    path = workbook(tmp_path / "insurance.xlsx", [], INSURANCE)
    found = rejected(path, LOANS)
    message = render_message(found["S007"].rule, found["S007"].examples[0], LOANS, "en")
    assert "SME-INSURANCE" in message and "SME-LOANS" in message


def test_an_outdated_template_version_is_named(tmp_path):
    path = workbook(tmp_path / "old.xlsx", [loan_row()], LOANS_2023)
    found = rejected(path, LOANS)
    message = render_message(found["S008"].rule, found["S008"].examples[0], LOANS, "en")
    assert "2023" in message and "2025" in message


def test_a_workbook_without_the_meta_sheet_is_not_our_template(tmp_path):
    path = workbook(tmp_path / "copy.xlsx", [loan_row()], edit=lambda wb: wb.remove(wb["_spec"]))
    assert "S007" in rejected(path)


def _delete_column(index):
    def edit(wb):
        wb[LOANS.sheet].delete_cols(index)

    return edit


def test_a_missing_column_is_named_with_its_place(tmp_path):
    last = len(LOANS.columns)
    path = workbook(tmp_path / "missing.xlsx", [loan_row()], edit=_delete_column(last))
    found = rejected(path)
    assert found["S010"].examples[0].column == LOANS.columns[-1].key


def test_an_extra_column_is_named(tmp_path):
    def edit(wb):
        sheet = wb[LOANS.sheet]
        sheet.cell(1, len(LOANS.columns) + 1, "自定义备注")

    found, table = findings_of(workbook(tmp_path / "extra.xlsx", [loan_row()], edit=edit))
    assert found["S011"].examples[0].value == "自定义备注"
    assert set(found) == {"S011"} and table.frame["sme_balance"][0] == 1000.0


def test_a_renamed_header_is_named_with_what_it_should_read(tmp_path):
    def edit(wb):
        sheet = wb[LOANS.sheet]
        sheet.cell(1, 3, "年初数")
        sheet.cell(2, 3, "start")

    found = rejected(workbook(tmp_path / "renamed.xlsx", [loan_row()], edit=edit))
    assert set(found) == {"S012"}
    assert found["S012"].examples[0].params["expected"] == LOANS.columns[2].heading_zh


def test_swapped_columns_are_one_moved_column_read_by_heading(tmp_path):
    def edit(wb):
        sheet = wb[LOANS.sheet]
        for row in (1, 2):
            a, b = sheet.cell(row, 2).value, sheet.cell(row, 3).value
            sheet.cell(row, 2, b)
            sheet.cell(row, 3, a)

    found, table = findings_of(workbook(tmp_path / "reordered.xlsx", [loan_row()], edit=edit))
    assert set(found) == {"S013"} and found["S013"].count == 1
    assert found["S013"].examples[0].column in {"sme_balance", "sme_balance_start"}
    # the headings moved, the data did not: each column is read under its heading
    assert table.frame["sme_balance"][0] == 900.0 and table.frame["sme_balance_start"][0] == 1000


def test_a_heading_found_twice_is_not_guessed(tmp_path):
    def edit(wb):
        sheet = wb[LOANS.sheet]
        sheet.cell(1, 3, sheet.cell(1, 2).value)
        sheet.cell(2, 3, sheet.cell(2, 2).value)

    assert set(rejected(workbook(tmp_path / "twice.xlsx", [loan_row()], edit=edit))) == {"S012"}


def test_zero_data_rows(tmp_path):
    assert "S016" in rejected(workbook(tmp_path / "empty.xlsx", []))


@pytest.mark.parametrize(
    "typed, expected",
    [("1,000.00", 1000.0), ("１０００", 1000.0), (" 1000 ", 1000.0), ("1，000", 1000.0)],
    ids=["thousands", "full-width", "spaces", "full-width-comma"],
)
def test_numbers_typed_as_text_are_understood(tmp_path, typed, expected):
    path = workbook(tmp_path / "text.xlsx", [loan_row(sme_balance=typed)])
    found, table = findings_of(path)
    assert table.frame["sme_balance"][0] == expected
    assert "V002" not in found


def test_a_percent_sign_in_an_amount_is_refused_with_its_cell(tmp_path):
    path = workbook(tmp_path / "pct.xlsx", [loan_row(credit_balance="30%")])
    found, _ = findings_of(path)
    example = found["V002"].examples[0]
    assert (example.cell, example.value) == ("I3", "30%")
    assert "30%" in render_message(found["V002"].rule, example, LOANS, "en")


@pytest.mark.parametrize("typed", ["nan", "inf", "-Infinity", "1e400"])
def test_a_word_or_a_number_beyond_any_balance_is_refused(tmp_path, typed):
    found, _ = findings_of(workbook(tmp_path / "odd.xlsx", [loan_row(sme_balance=typed)]))
    assert found["V002"].examples[0].value == typed


def test_a_percent_sign_in_a_rate_is_understood_and_said(tmp_path):
    found, table = findings_of(workbook(tmp_path / "r.xlsx", [loan_row(issued_rate="3.85%")]))
    assert table.frame["issued_rate"][0] == 3.85 and set(found) == {"N003"}


def test_a_rate_given_as_a_fraction_is_a_warning(tmp_path):
    found, _ = findings_of(workbook(tmp_path / "f.xlsx", [loan_row(issued_rate=0.0385)]))
    assert found["SL-Q201"].rule.severity == "warning"
    assert found["SL-Q201"].examples[0].cell == "M3"


def _result_row(code, **changes):
    row = {
        "credit_code": code,
        "contact_date": "2025-03-05",
        "decision": "已授信",
        "credit_amount": 100,
        "loan_amount": 80,
        "loan_date": "2025-03-20",
        "rate": 3.5,
    }
    row.update(changes)
    return row


CODE = "91350100M000100Y43"
CODE2 = "91512081MA62K0260E"


@pytest.mark.parametrize(
    "typed", ["2025年3月5日", "2025/3/5", "2025.03.05", "20250305", date(2025, 3, 5)]
)
def test_dates_typed_in_common_chinese_forms(tmp_path, typed):
    path = workbook(tmp_path / "d.xlsx", [_result_row(CODE, contact_date=typed)], RESULT)
    found, table = findings_of(path, RESULT)
    assert table.frame["contact_date"][0] == date(2025, 3, 5)
    assert "V008" not in found


def test_a_date_that_is_not_one(tmp_path):
    path = workbook(tmp_path / "d.xlsx", [_result_row(CODE, contact_date="3月5日")], RESULT)
    found, _ = findings_of(path, RESULT)
    assert found["V008"].examples[0].cell == "B3"


def test_full_width_letters_in_a_credit_code_are_normalised_with_a_warning(tmp_path):
    typed = " ９１３５０１００Ｍ０００１００Ｙ４３ "
    found, table = findings_of(workbook(tmp_path / "c.xlsx", [_result_row(typed)], RESULT), RESULT)
    assert table.frame["credit_code"][0] == CODE
    assert "V006" not in found and found["V013"].rule.severity == "warning"


def test_a_bad_check_character(tmp_path):
    path = workbook(tmp_path / "c.xlsx", [_result_row("91350100M000100Y4Z")], RESULT)
    found, _ = findings_of(path, RESULT)
    assert found["V006"].examples[0].value == "91350100M000100Y4Z"


def test_duplicated_enterprises_name_the_first_row(tmp_path):
    rows = [_result_row(CODE), _result_row(CODE2), _result_row(CODE)]
    found, _ = findings_of(workbook(tmp_path / "dup.xlsx", rows, RESULT), RESULT)
    example = found["V011"].examples[0]
    assert (example.row, example.params["found"]) == (5, 3)


def test_blank_rows_in_the_middle_are_skipped_and_rows_keep_their_numbers(tmp_path):
    rows = [loan_row("350102"), {}, {}, loan_row("350103", sme_balance=-1)]
    found, table = findings_of(workbook(tmp_path / "gaps.xlsx", rows))
    assert table.frame.height == 2
    assert found["V003"].examples[0].cell == "B6"


def test_negative_amounts_and_blank_required_cells(tmp_path):
    rows = [loan_row(all_npl=-3, borrowers=None)]
    found, _ = findings_of(workbook(tmp_path / "neg.xlsx", rows))
    assert found["V003"].examples[0].cell == "O3"
    assert found["V001"].examples[0].cell == "F3"


def test_a_rule_with_many_hits_keeps_its_count_and_a_few_hundred_examples(tmp_path):
    spec = RESULT
    frame = synthetic.synthetic_frame(spec, 1200).with_columns(rate=0.04)
    path = tmp_path / "many.xlsx"
    synthetic.write_return(spec, frame, path)
    found, _ = findings_of(path, spec)
    assert found["SR-Q202"].count == 1200
    assert len(found["SR-Q202"].examples) == 300


def test_rules_needing_an_assignment_check_it_when_given(tmp_path):
    path = workbook(tmp_path / "a.xlsx", [_result_row(CODE), _result_row(CODE2)], RESULT)
    found, _ = findings_of(path, RESULT, assigned=[CODE], pushed_on=date(2025, 1, 1))
    assert [e.value for e in found["SR-V101"].examples] == [CODE2]


def test_a_full_height_sheet_is_read_whole(tmp_path):
    rows = 1_048_576 - HEADER_ROWS
    path = tmp_path / "full.xlsx"
    synthetic.write_return(RESULT, synthetic.synthetic_frame(RESULT, rows), path)
    table = reader.read_return(path, RESULT)
    assert table.frame.height == rows
    assert table.frame["_row"][-1] == 1_048_576
