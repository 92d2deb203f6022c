"""S001 and S007 say what the file is and what to do (issue 15, item 4's rest): S001 names the
kind the checker found (empty, OpenDocument, CSV or text, a zip without a workbook...) with its
fix; S007 names the template found and the template expected in plain words, never a sheet
name as if it were a return code."""

from pathlib import Path

import pytest

from reporting import reader
from reporting.findings import FileRejected, Finding, render_message
from reporting.safety import inspect_workbook
from tests.reporting import corpus
from tests.reporting.returns import INSURANCE, LOANS, loan_row, workbook


def _rejection(path: Path, code: str, spec=None) -> Finding:
    with pytest.raises(FileRejected) as caught:
        if spec is None:
            inspect_workbook(path)
        else:
            reader.read_return(path, spec)
    found = {f.rule.code: f for f in caught.value.findings}
    assert code in found, list(found)
    return found[code]


def _both(finding: Finding, spec=None) -> tuple[str, str]:
    example = finding.examples[0]
    return (
        render_message(finding.rule, example, spec, "zh"),
        render_message(finding.rule, example, spec, "en"),
    )


def opendocument(directory: Path) -> Path:
    """A LibreOffice Calc spreadsheet (.ods) renamed .xlsx."""
    return corpus.write_zip(
        directory / "calc.xlsx",
        {
            "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": b"<office:document-content/>",
            "META-INF/manifest.xml": b"<manifest:manifest/>",
        },
    )


def western_csv(directory: Path) -> Path:
    """A CSV as LibreOffice saves it on a machine with a Western locale: Windows-1252, its
    curly quotes bytes that neither UTF-8 nor GB18030 reads (found trying the closing note's
    files: it was called "a file of another kind")."""
    text = "Return code,SME-LOANS\nUnits,\u201c10,000 CNY\u201d\n350102,12.5\n"
    (directory / "data.xlsx").write_bytes(text.encode("cp1252"))
    return directory / "data.xlsx"


@pytest.mark.parametrize(
    ("make", "kind_zh", "kind_en", "fix_en"),
    [
        (corpus.empty_file, "空文件", "an empty file", "save it again"),
        (opendocument, "OpenDocument", "an OpenDocument spreadsheet", "Excel 2007-365 (.xlsx)"),
        (corpus.csv_renamed, "CSV 或文本文件", "a CSV or text file", "paste"),
        (corpus.text_file, "CSV 或文本文件", "a CSV or text file", "paste"),
        (western_csv, "CSV 或文本文件", "a CSV or text file", "paste"),
        (corpus.plain_zip, "不含工作簿的压缩包", "a zip archive with no workbook", "not a zip"),
        (corpus.binary_workbook, "二进制工作簿", "a binary Excel workbook (.xlsb)", "Save As"),
        (corpus.pdf_renamed, "PDF", "a PDF document", "template"),
    ],
)
def test_s001_names_the_kind_of_file_found_and_the_fix(tmp_path, make, kind_zh, kind_en, fix_en):
    zh, en = _both(_rejection(make(tmp_path), "S001"))
    assert kind_en in en and fix_en in en, en
    assert kind_zh in zh and ".xlsx" in zh, zh
    assert "{" not in zh + en


def test_s007_for_a_workbook_not_made_from_the_template_does_not_show_a_sheet_name(tmp_path):
    def copied(wb):
        wb.remove(wb["_spec"])
        wb[LOANS.sheet].title = "data"

    path = workbook(tmp_path / "copy.xlsx", [loan_row()], edit=copied)
    zh, en = _both(_rejection(path, "S007", LOANS), LOANS)
    assert "'data'" not in en and "“data”" not in zh
    assert "not made from the template" in en and "SME-LOANS" in en
    assert LOANS.title_en in en and LOANS.title_zh in zh
    assert "不是用" in zh and "模板" in zh


def test_s007_names_the_template_found_and_the_one_expected(tmp_path):
    path = workbook(tmp_path / "insurance.xlsx", [], INSURANCE)
    zh, en = _both(_rejection(path, "S007", LOANS), LOANS)
    assert f"the template of SME-INSURANCE ({INSURANCE.title_en})" in en
    assert f"SME-LOANS ({LOANS.title_en})" in en
    assert INSURANCE.title_zh in zh and LOANS.title_zh in zh


def test_a_rejection_stored_before_the_kind_was_named_still_reads_as_a_sentence():
    """An S001 saved by an earlier portal has no kind or fix: its message must not read
    "The file is , not an Excel workbook (.xlsx): "."""
    from reporting.findings import render_message
    from reporting.rulebook import rule

    stored = {"sheet": "", "row": None, "column": "", "cell": "", "value": "", "params": {}}
    en = render_message(rule("S001"), stored, lang="en")
    zh = render_message(rule("S001"), stored, lang="zh")
    assert en.startswith("The file is another kind of file, not an Excel workbook (.xlsx): fill")
    assert "文件是另一种文件" in zh and "，不是" in zh
