"""The safe-open stage: every hostile or broken upload is refused with its own rule, and the
rule's message reads in both languages with the finding's values filled in."""

import io
import string
import zipfile
from pathlib import Path

import pytest

from reporting import zip_package
from reporting.findings import FileRejected, Finding, render_message
from reporting.safety import WorkbookFacts, inspect_workbook
from reporting.sheetscan import SheetScan
from reporting.zip_package import DEFAULT_LIMITS, Limits, ZipPackage
from tests.reporting import corpus, corpus_edges
from tests.reporting.corpus import END, FAT_SECTOR, FREE
from tests.reporting.corpus_edges import (
    ROOT,
    STORAGE,
    STREAM,
    compound,
    difat_sector,
    directory_entry,
    directory_sector,
    fat_sector,
    two_sector_directory,
)

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
    # What kind of file it is and the fix: tests/reporting/test_rejection_messages.py.
    assert english(finding).startswith("The file is a")
    assert ", not an Excel workbook (.xlsx): " in english(finding)


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
        (corpus_edges.without_workbook_rels, "xl/_rels/workbook.xml.rels is missing"),
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


# The order of the checks: of several problems in one file, the one checked first is reported.


def first_problem(path: Path, **kwargs) -> Finding:
    with pytest.raises(FileRejected) as caught:
        inspect_workbook(path, **kwargs)
    (finding,) = caught.value.findings
    return finding


@pytest.mark.parametrize(
    ("problems", "code", "expected"),
    [
        (("xlsb", "macros"), "S001", "a binary workbook (.xlsb)"),
        (("no-workbook",), "S001", "a zip file that holds no workbook"),  # but a vbaProject.bin
        (("macros", "no-rels"), "S003", None),
        (("no-rels", "doctype"), "S019", "xl/_rels/workbook.xml.rels is missing"),
        (("doctype", "macro-type"), "S006", "a DOCTYPE declaration in xl/sharedStrings.xml"),
    ],
)
def test_the_problem_checked_first_is_reported(tmp_path, problems, code, expected):
    finding = first_problem(corpus_edges.several_problems(tmp_path, *problems))
    assert finding.rule.code == code
    assert finding.examples[0].params.get("detail") == expected


def test_a_macro_content_type_is_found_before_the_data_sheet_is_looked_for(tmp_path):
    path = corpus_edges.several_problems(tmp_path, "macro-type")
    assert first_problem(path, data_sheet="Other").rule.code == "S003"


def test_the_data_sheet_is_looked_for_before_the_members_are_inflated(tmp_path):
    path = corpus_edges.big_member_crc_error(tmp_path)
    assert first_problem(path, data_sheet="Other").rule.code == "S009"
    assert detail(first_problem(path)) == "xl/media/blob.bin fails its checksum (CRC)"


def test_every_member_is_inflated_before_the_data_sheet_is_judged(tmp_path):
    path = corpus_edges.big_member_crc_error(tmp_path, tail=corpus_edges.MERGED)
    finding = first_problem(path, data_sheet="Data")
    assert detail(finding) == "xl/media/blob.bin fails its checksum (CRC)"
    sound = corpus_edges.big_member(tmp_path, size=1 << 20, tail=corpus_edges.MERGED)
    assert detail(first_problem(sound, data_sheet="Data")) == "A1:B1"


# Member streams: what a member's entries claim is checked against what inflating it gives.


@pytest.mark.parametrize(
    ("make", "code", "expected"),
    [
        (corpus_edges.local_header_missing, "S019", "the zip entry of {} is missing"),
        (corpus_edges.local_name_differs, "S019", "the zip entry of {} names another file"),
        (
            corpus_edges.local_extra_overlaps,
            "S005",
            "zip entries overlap at {} (a zip-bomb pattern)",
        ),
        (corpus_edges.deflate_cut_short, "S019", "the data of {} ends early"),
        (corpus_edges.longer_declared_size, "S019", "{} is shorter than its header says"),
    ],
)
def test_member_entries_that_lie(tmp_path, make, code, expected):
    finding = rejected(make(tmp_path), code)
    assert detail(finding) == expected.format("xl/worksheets/sheet1.xml")


def test_a_member_bigger_than_one_inflated_chunk_is_read_to_its_end(tmp_path):
    facts = inspect_workbook(corpus_edges.big_member(tmp_path), data_sheet="Data")
    assert facts.warnings == []


@pytest.mark.parametrize("data_sheet", ["Data", None])
def test_a_data_sheet_past_the_head_check_is_checked_to_its_end(tmp_path, data_sheet):
    finding = rejected(corpus_edges.big_sheet_crc_error(tmp_path), "S019", data_sheet=data_sheet)
    assert detail(finding) == "xl/worksheets/sheet1.xml fails its checksum (CRC)"


def test_non_ascii_member_names_match_their_local_headers(tmp_path):
    inspect_workbook(corpus_edges.non_ascii_member(tmp_path), data_sheet="Data")


def open_package(member: bytes, compression: int) -> ZipPackage:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("xl/m.xml", member)
    data = buffer.getvalue()
    return ZipPackage(io.BytesIO(data), len(data), data[:8], DEFAULT_LIMITS)


# Rows of varied values, then a run that inflates past one output chunk in a single call.
STREAMED = (
    b"".join(f'<row r="{r}"><v>{r * 7919 % 1000}</v></row>'.encode() for r in range(1, 400))
    + b"a" * 3001
)
# Inflated 1,000 bytes at a time, the last 1,000 come when every compressed byte is consumed
# but zlib still holds one byte back.
HELD_BACK = b"a" * 3001


@pytest.mark.parametrize("member", [STREAMED, HELD_BACK], ids=["rows", "held-back"])
@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
@pytest.mark.parametrize("in_chunk", [1, 7, 1 << 20])
@pytest.mark.parametrize("out_chunk", [1, 1000, 8 << 20])
def test_streams_are_independent_of_chunking(monkeypatch, member, compression, in_chunk, out_chunk):
    """Compressed bytes read 1 or 7 at a time (most inflate to nothing) or 1 MiB at a time,
    inflated 1 or 1,000 bytes at a time (zlib holds output back) or 8 MiB at a time."""
    monkeypatch.setattr(zip_package, "_IN_CHUNK", in_chunk)
    package = open_package(member, compression)
    (info,) = package.members
    chunks = list(package._stream(info, out_chunk=out_chunk))
    assert b"".join(chunks) == member
    assert package.verified == {"xl/m.xml"}
    if compression == zipfile.ZIP_DEFLATED:
        assert max(len(chunk) for chunk in chunks) <= out_chunk


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_file_that_gives_fewer_bytes_than_its_directory_promised(compression):
    """The upload shrinks while it is read: the stream stops, it does not loop on nothing."""
    package = open_package(STREAMED, compression)
    (info,) = package.members
    package.fp.truncate(info.header_offset + 30 + len(info.filename) + 10)
    with pytest.raises(FileRejected) as caught:
        list(package._stream(info))
    assert detail(caught.value.findings[0]) == "the data of xl/m.xml ends early"
    assert package.verified == set()


# Compound files: the directory walk follows the file's own chains, and nothing it says can
# make it read outside the file or loop.

WORD_THEN_ENCRYPTED = ("WordDocument", "EncryptionInfo")
FAT_OF_TWO = {0: FAT_SECTOR, 1: 2, 2: END}  # the directory: sector 1, then sector 2


def compound_upload(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "compound.xlsx"
    path.write_bytes(data)
    return path


def test_compound_file_shorter_than_its_header(tmp_path):
    whole = compound(two_sector_directory("EncryptionInfo", "Workbook", FAT_OF_TWO), first_dir=1)
    rejected(compound_upload(tmp_path, whole[:300]), "S002")


def test_compound_file_of_4096_byte_sectors(tmp_path):
    directory = directory_sector("Root Entry", "EncryptionInfo", "EncryptedPackage")
    fat = fat_sector({0: FAT_SECTOR, 1: END}, shift=12)
    data = compound({0: fat, 1: directory}, first_dir=1, shift=12)
    rejected(compound_upload(tmp_path, data), "S004")


@pytest.mark.parametrize(
    ("layout", "code"),
    [
        # The FAT leads from the first directory sector to the second.
        ({"fat_links": FAT_OF_TWO}, "S004"),
        # A chain that loops ends after as many steps as the file has sectors.
        ({"fat_links": {0: FAT_SECTOR, 1: 2, 2: 1}}, "S004"),
        ({"fat_links": {0: FAT_SECTOR, 1: 1}}, "S001"),
        # Where the chain cannot be followed, only the first sector is read: no FAT sector...
        ({"fat_links": None, "fat": ()}, "S001"),
        # ...the FAT sector listed as free, or past the end of the file...
        ({"fat_links": None, "fat": (FREE,)}, "S001"),
        ({"fat_links": None, "fat": (99,)}, "S001"),
        # ...the next directory sector past the end of the file, or cut short.
        ({"fat_links": {0: FAT_SECTOR, 1: 50, 50: END}}, "S001"),
        ({"fat_links": FAT_OF_TWO, "cut": 100}, "S001"),
    ],
)
def test_directory_chain(tmp_path, layout, code):
    sectors = two_sector_directory(*WORD_THEN_ENCRYPTED, layout["fat_links"])
    data = compound(sectors, first_dir=1, fat=layout.get("fat", (0,)), count=3)
    data = data[: len(data) - layout.get("cut", 0)]
    rejected(compound_upload(tmp_path, data), code)


def test_directory_past_the_end_of_the_file(tmp_path):
    data = compound(two_sector_directory(*WORD_THEN_ENCRYPTED, FAT_OF_TWO), first_dir=50)
    rejected(compound_upload(tmp_path, data), "S002")


def test_fat_sectors_listed_in_the_difat(tmp_path):
    """The header lists 109 FAT sectors; the 110th, which maps the directory's second sector,
    is listed in a DIFAT sector."""
    first = 109 * 128  # the first sector that the 110th FAT sector maps
    sectors = {
        0: difat_sector([1], END),
        1: fat_sector({first: first + 1, first + 1: END}),
        first: directory_sector("Root Entry", "WordDocument"),
        first + 1: directory_sector("EncryptionInfo"),
    }
    data = compound(sectors, first_dir=first, fat=(), n_fat=110, first_difat=0, n_difat=1)
    rejected(compound_upload(tmp_path, data), "S004")


@pytest.mark.parametrize(("n_difat", "code"), [(2, "S004"), (1, "S001")])
def test_the_difat_is_followed_as_far_as_the_header_says(tmp_path, n_difat, code):
    """Two DIFAT sectors: the FAT sector that maps the directory's second sector (the 237th)
    is listed in the second, which is read only when the header counts two."""
    first = 236 * 128  # the first sector that the 237th FAT sector maps
    sectors = {
        0: difat_sector([], 1),
        1: difat_sector([2], END),
        2: fat_sector({first: first + 1, first + 1: END}),
        first: directory_sector("Root Entry", "WordDocument"),
        first + 1: directory_sector("EncryptionInfo"),
    }
    data = compound(sectors, first_dir=first, fat=(), n_fat=237, first_difat=0, n_difat=n_difat)
    rejected(compound_upload(tmp_path, data), code)


@pytest.mark.parametrize(
    ("first_difat", "n_difat"),
    [
        (3, 0xFFFFFFFF),  # a DIFAT sector that names itself as the next: bounded by the file
        (99, 1),  # a DIFAT sector past the end of the file
    ],
)
def test_a_broken_difat_does_not_hide_the_directory(tmp_path, first_difat, n_difat):
    sectors = two_sector_directory(*WORD_THEN_ENCRYPTED, FAT_OF_TWO)
    sectors[3] = difat_sector([], 3)
    data = compound(sectors, first_dir=1, first_difat=first_difat, n_difat=n_difat)
    rejected(compound_upload(tmp_path, data), "S004")


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        (directory_entry(STREAM, "EncryptionInfo"), "S004"),
        (directory_entry(STORAGE, "EncryptionInfo"), "S004"),
        (directory_entry(ROOT, "EncryptionInfo"), "S004"),
        (directory_entry(0, "EncryptionInfo"), "S002"),  # an unused entry
        (directory_entry(STREAM, "EncryptionInfo", length=66), "S002"),  # longer than allowed
        (directory_entry(STREAM, "EncryptionInfo", length=1), "S002"),  # shorter than its NUL
    ],
)
def test_directory_entries_that_name_a_stream(tmp_path, entry, code):
    fat = fat_sector({0: FAT_SECTOR, 1: END})
    data = compound({0: fat, 1: directory_entry(ROOT, "Root Entry") + entry}, first_dir=1)
    rejected(compound_upload(tmp_path, data), code)


# Warnings about hidden things.


def test_hidden_sheets_warn_without_a_data_sheet(tmp_path):
    facts = inspect_workbook(corpus.hidden_rows_and_sheet(tmp_path))
    (warning,) = facts.warnings
    assert warning.rule.code == "S020" and warning.count == 1
    (example,) = warning.examples
    assert example.sheet == "Notes" and example.params["detail"] == "sheets 'Notes'"


@pytest.mark.parametrize(("count", "more"), [(5, ""), (7, " … +2")])
def test_many_hidden_sheets_are_counted_and_a_few_named(tmp_path, count, more):
    facts = inspect_workbook(corpus_edges.hidden_sheets(tmp_path, count), data_sheet="Data")
    (warning,) = facts.warnings
    assert warning.count == count and warning.examples[0].sheet == "H1"
    assert detail(warning) == "sheets 'H1', 'H2', 'H3', 'H4', 'H5'" + more
    assert_reads(warning)


def test_hidden_rows_alone_warn(tmp_path):
    rows = (
        '<row r="4" hidden="1"><c r="A4"><v>1</v></c></row>'
        '<row hidden="1"><c r="A5"><v>2</v></c></row>'  # no row number: shown as "?"
    )
    facts = inspect_workbook(corpus_edges.hidden_sheets(tmp_path, 0, rows), data_sheet="Data")
    (warning,) = facts.warnings
    (example,) = warning.examples
    assert warning.count == 2 and example.params["detail"] == "rows 4, ?"
    assert example.sheet == "Data" and example.row == 4


def test_a_first_hidden_row_without_a_number_has_no_row(tmp_path):
    rows = '<row hidden="1"><c r="A1"><v>1</v></c></row>'
    facts = inspect_workbook(corpus_edges.hidden_sheets(tmp_path, 0, rows), data_sheet="Data")
    (warning,) = facts.warnings
    assert detail(warning) == "rows ?" and warning.examples[0].row is None


def test_hidden_rows_and_cached_formulas_warn_in_that_order(tmp_path):
    rows = '<row r="1" hidden="1"><c r="A1"><f>1+1</f><v>2</v></c></row>'
    facts = inspect_workbook(corpus_edges.hidden_sheets(tmp_path, 1, rows), data_sheet="Data")
    assert [(w.rule.code, w.count) for w in facts.warnings] == [("S020", 2), ("S021", 1)]
