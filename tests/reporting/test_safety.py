"""The safe-open stage: every hostile or broken upload is refused with its own rule, and the
rule's message reads in both languages with the finding's values filled in."""

import string
from pathlib import Path

import pytest

from reporting.findings import FileRejected, Finding, render_message
from reporting.safety import WorkbookFacts, inspect_workbook
from reporting.sheetscan import SheetScan
from reporting.zip_package import DEFAULT_LIMITS, Limits
from tests.reporting import corpus

PLACEHOLDERS = ("column", "value", "sheet", "expected", "found", "limit", "detail")


def assert_reads(finding: Finding) -> None:
    """Every placeholder of the rule's message is filled, in both languages."""
    example = finding.examples[0]
    values = {"sheet": example.sheet, "value": example.value, **example.params}
    for lang, template in (("en", finding.rule.message_en), ("zh", finding.rule.message_zh)):
        for _, name, _, _ in string.Formatter().parse(template):
            if name:
                assert str(values.get(name, "")).strip(), f"{finding.rule.code} lacks {{{name}}}"
        text = render_message(finding.rule, example, None, lang)
        assert "{" not in text and "}" not in text
        # As the brief puts it: the message formats with the params, blanks for the rest.
        template.format(**({name: "" for name in PLACEHOLDERS} | values))


def rejected(path: Path, code: str, **kwargs) -> Finding:
    with pytest.raises(FileRejected) as caught:
        inspect_workbook(path, **kwargs)
    codes = [f.rule.code for f in caught.value.findings]
    assert code in codes, codes
    finding = next(f for f in caught.value.findings if f.rule.code == code)
    assert_reads(finding)
    return finding


def detail(finding: Finding) -> str:
    return finding.examples[0].params["detail"]


def english(finding: Finding) -> str:
    return render_message(finding.rule, finding.examples[0], None, "en")


# A clean workbook passes.


def test_clean_template_shaped_workbook_passes_without_warnings(tmp_path):
    facts = inspect_workbook(corpus.clean_workbook(tmp_path), data_sheet="Data")
    assert isinstance(facts, WorkbookFacts)
    assert facts.sheet_names == ["填报说明 Instructions", "Data", "_spec"]
    assert facts.hidden_sheets == ["_spec"]  # listed, but ours: no warning
    assert facts.sheet_parts["Data"] == "xl/worksheets/sheet2.xml"
    assert facts.warnings == []


def test_without_a_data_sheet_only_the_file_is_checked(tmp_path):
    facts = inspect_workbook(corpus.merged_cells(tmp_path))
    assert facts.sheet_names == ["Data"] and facts.warnings == []


def test_declared_size_matching_passes(tmp_path):
    path = corpus.clean_workbook(tmp_path)
    inspect_workbook(path, declared_size=path.stat().st_size)


def test_small_parts_may_compress_highly(tmp_path):
    facts = inspect_workbook(corpus.small_compressible_part(tmp_path), data_sheet="Data")
    assert facts.warnings == []


# Not an .xlsx at all.


@pytest.mark.parametrize(
    "make",
    [
        corpus.empty_file,
        corpus.text_file,
        corpus.csv_renamed,
        corpus.pdf_renamed,
        corpus.plain_zip,
        corpus.binary_workbook,
        corpus.old_word_document,
    ],
)
def test_not_a_workbook(tmp_path, make):
    finding = rejected(make(tmp_path), "S001")
    assert english(finding) == "The file is not an Excel workbook (.xlsx)."


@pytest.mark.parametrize("make", [corpus.old_xls, corpus.old_xls_header_only])
def test_old_binary_xls(tmp_path, make):
    rejected(make(tmp_path), "S002")


def test_password_protected_workbook(tmp_path):
    finding = rejected(corpus.encrypted_workbook(tmp_path), "S004")
    assert "password" in english(finding)


def test_zip_level_encryption(tmp_path):
    finding = rejected(corpus.zip_encrypted(tmp_path), "S004")
    assert detail(finding) == "xl/worksheets/sheet1.xml is zip-encrypted"


@pytest.mark.parametrize(
    "make", [corpus.macro_workbook, corpus.macro_content_type_only, corpus.macro_sheet]
)
def test_macros(tmp_path, make):
    rejected(make(tmp_path), "S003")


# Zip bombs and limits.


def test_ratio_bomb_refused_from_the_directory(tmp_path):
    finding = rejected(corpus.ratio_bomb(tmp_path), "S005")
    assert "xl/sharedStrings.xml is compressed" in detail(finding)
    assert "at most 60:1" in english(finding)


def test_lying_declared_size_is_caught_while_inflating(tmp_path):
    finding = rejected(corpus.lying_size_bomb(tmp_path), "S005")
    assert "more than the 1000 bytes its header declares" in detail(finding)


def test_overlapping_entries(tmp_path):
    finding = rejected(corpus.overlapping_entries(tmp_path), "S005")
    assert "overlap" in detail(finding)


def test_upload_size_limit(tmp_path):
    path = corpus.clean_workbook(tmp_path)
    finding = rejected(path, "S005", limits=Limits(max_bytes=1000))
    assert "at most 1000 bytes" in detail(finding)


def test_member_count_limit(tmp_path):
    finding = rejected(corpus.many_members(tmp_path), "S005", limits=Limits(max_members=10))
    assert "parts in the zip, at most 10" in detail(finding)


def test_member_and_total_size_limits(tmp_path):
    path = corpus.clean_workbook(tmp_path)
    finding = rejected(path, "S005", limits=Limits(max_member_bytes=2000))
    assert "unpacks to" in detail(finding)
    finding = rejected(path, "S005", limits=Limits(max_total_bytes=5000))
    assert "the parts unpack to" in detail(finding)


def test_default_limits_admit_a_full_height_sheet():
    full_height_sheet = 570 * 10**6  # 1,048,576 rows x 12 columns of XML
    assert DEFAULT_LIMITS.max_member_bytes > full_height_sheet * 2
    assert DEFAULT_LIMITS.max_ratio > 8.5 * 3  # a real sheet compresses ~8.5:1


# Unsafe XML.


def test_billion_laughs(tmp_path):
    finding = rejected(corpus.entity_bomb(tmp_path), "S006")
    assert detail(finding) == "a DOCTYPE declaration in xl/sharedStrings.xml"


def test_external_entity_caught_before_the_workbook_is_parsed(tmp_path):
    finding = rejected(corpus.external_entity(tmp_path), "S006")
    assert detail(finding) == "an external entity in xl/workbook.xml"
    assert english(finding).startswith("The file contains unsafe XML (an external entity")


def test_doctype_behind_a_long_comment(tmp_path):
    finding = rejected(corpus.doctype_behind_comment(tmp_path), "S006")
    assert "prolog" in detail(finding)


def test_utf16_cannot_hide_a_doctype(tmp_path):
    finding = rejected(corpus.utf16_doctype(tmp_path), "S006")
    assert "not UTF-8" in detail(finding)


# Incomplete or damaged.


def test_truncated_upload(tmp_path):
    finding = rejected(corpus.truncated_upload(tmp_path), "S018")
    assert "cut off in transit" in english(finding)


def test_size_differs_from_declared(tmp_path):
    path = corpus.clean_workbook(tmp_path)
    rejected(path, "S018", declared_size=path.stat().st_size + 1)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (corpus.without_workbook_part, "xl/workbook.xml is missing"),
        (corpus.without_content_types, "[Content_Types].xml is missing"),
        (corpus.crc_error, "xl/worksheets/sheet1.xml fails its checksum (CRC)"),
        (corpus.malformed_workbook_part, "xl/workbook.xml is not well-formed XML"),
        (corpus.duplicate_member, "the zip lists xl/workbook.xml twice"),
        (corpus.corrupt_deflate, "the data of xl/worksheets/sheet1.xml is corrupt"),
    ],
)
def test_damaged(tmp_path, make, expected):
    finding = rejected(make(tmp_path), "S019")
    assert detail(finding) == expected
    assert english(finding) == f"The workbook is damaged and cannot be read: {expected}."


# The data sheet.


def test_missing_data_sheet(tmp_path):
    finding = rejected(corpus.missing_sheet(tmp_path), "S009", data_sheet="Data")
    assert english(finding) == "The sheet 'Data' is missing."
    assert render_message(finding.rule, finding.examples[0], None, "zh") == "缺少工作表“Data”。"


def test_merged_cells(tmp_path):
    finding = rejected(corpus.merged_cells(tmp_path), "S014", data_sheet="Data")
    assert detail(finding) == "A4:B4, A7:A9"
    assert english(finding) == "The data area has merged cells (A4:B4, A7:A9)."
    assert finding.count == 2 and finding.examples[0].sheet == "Data"


def test_formulas_without_cached_values(tmp_path):
    finding = rejected(corpus.formulas_without_values(tmp_path), "S015", data_sheet="Data")
    assert detail(finding) == "C3, C4, B13"
    assert english(finding) == "Cells hold formulas without calculated values (C3, C4, B13)."


def test_formulas_with_cached_values_warn(tmp_path):
    facts = inspect_workbook(corpus.cached_formulas(tmp_path), data_sheet="Data")
    (warning,) = facts.warnings
    assert warning.rule.code == "S021" and warning.count == 4
    assert detail(warning) == "B1, B2, B3, C3"
    assert_reads(warning)


def test_pretty_printed_formulas(tmp_path):
    finding = rejected(corpus.pretty_printed_formulas(tmp_path), "S015", data_sheet="Data")
    assert detail(finding) == "B1"


def test_hidden_rows_and_sheet_warn(tmp_path):
    facts = inspect_workbook(corpus.hidden_rows_and_sheet(tmp_path), data_sheet="Data")
    assert facts.hidden_sheets == ["Notes", "_spec"]
    (warning,) = facts.warnings
    assert warning.rule.code == "S020" and warning.count == 3
    sheets, rows = warning.examples
    assert sheets.params["detail"] == "sheets 'Notes'"
    assert rows.params["detail"] == "rows 5, 8" and rows.sheet == "Data" and rows.row == 5
    assert render_message(warning.rule, rows, None, "en") == (
        "There are hidden rows 5, 8; their data is checked like any other."
    )
    assert_reads(warning)


def test_prefixed_elements_are_scanned(tmp_path):
    finding = rejected(corpus.prefixed_sheet(tmp_path), "S014", data_sheet="Data")
    assert detail(finding) == "C1:D2"


# The scanner on its own: any chunking gives the same answer.

SCAN_XML = corpus.sheet_xml(
    '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1"><f>A1*3</f><v/></c></row>'
    '<row r="2" spans="1:3" hidden="1"><c r="A2" t="str"><f>""</f><v></v></c>'
    '<c r="B2"><f t="shared" si="0"/></c></row>'
    + "".join(f'<row r="{r}" hidden="true"><c r="A{r}"><v>{r}</v></c></row>' for r in range(3, 12))
    + '<row r="12"><c r="A12" t="inlineStr"><is><t>hidden formula &lt;f&gt;</t></is></c></row>',
    '<mergeCells count="2"><mergeCell ref="A20:B20"/><mergeCell ref="C21:C30"/></mergeCells>'
    '<dataValidations count="1"><dataValidation sqref="D3:D9"><formula1>"Y,N"</formula1>'
    "</dataValidation></dataValidations>",
).encode()


@pytest.mark.parametrize("size", [1, 7, 64, 1000, len(SCAN_XML)])
def test_scan_is_independent_of_chunking(size):
    scan = SheetScan()
    for start in range(0, len(SCAN_XML), size):
        scan.feed(SCAN_XML[start : start + size])
    scan.close()
    assert (scan.cached_count, scan.cached) == (2, ["A1", "A2"])
    assert (scan.uncached_count, scan.uncached) == (2, ["B1", "B2"])
    assert (scan.hidden_count, scan.hidden_rows) == (10, ["2", "3", "4", "5", "6"])
    assert (scan.merged_count, scan.merged) == (2, ["A20:B20", "C21:C30"])


def test_many_hits_are_counted_and_a_few_named():
    rows = "".join(f'<row r="{r}"><c r="A{r}"><f>1</f></c></row>' for r in range(1, 100_001))
    scan = SheetScan()
    data = corpus.sheet_xml(rows).encode()
    for start in range(0, len(data), 1 << 20):
        scan.feed(data[start : start + (1 << 20)])
    scan.close()
    assert scan.uncached_count == 100_000
    assert scan.rejections("Data")[0].examples[0].params["detail"] == (
        "A1, A2, A3, A4, A5 … +99,995"
    )


def test_prefix_found_when_fed_byte_by_byte():
    data = corpus.sheet_xml(
        '<x:row r="1"><x:c r="A1"><x:f>1</x:f></x:c></x:row>',
        '<x:mergeCells><x:mergeCell ref="A1:B1"/></x:mergeCells>',
        prefix="x",
    ).encode()
    scan = SheetScan()
    for i in range(len(data)):
        scan.feed(data[i : i + 1])
    scan.close()
    assert (scan.uncached, scan.merged) == (["A1"], ["A1:B1"])
