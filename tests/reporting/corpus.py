"""Hostile and broken uploads for the safety tests. Each function writes one file into a
directory and returns its path: no binary is committed, every byte is made here."""

import struct
import warnings
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_SHEET = REL_NS + "/worksheet"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

HEADERS = [("企业名称", "Enterprise"), ("贷款余额（万元）", "Loan balance (10,000 CNY)")]


# Raw packages, for the cases a spreadsheet program would never write.


def sheet_xml(rows: str = "", tail: str = "", prefix: str = "") -> str:
    """A worksheet with ``rows`` inside <sheetData> and ``tail`` after it (merges...)."""
    if prefix:
        body = f'<{prefix}:worksheet xmlns:{prefix}="{NS}"><{prefix}:sheetData>{rows}'
        return XML_DECL + body + f"</{prefix}:sheetData>{tail}</{prefix}:worksheet>"
    return XML_DECL + f'<worksheet xmlns="{NS}"><sheetData>{rows}</sheetData>{tail}</worksheet>'


def plain_rows(count: int = 3) -> str:
    return "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x{r}</t></is></c>'
        f'<c r="B{r}"><v>{r}.5</v></c></row>'
        for r in range(1, count + 1)
    )


def package(
    sheets: list[tuple[str, str, str]] | None = None,
    *,
    main_type: str = MAIN,
    extra: dict[str, bytes] | None = None,
    overrides: str = "",
) -> dict[str, bytes]:
    """The parts of a minimal .xlsx: ``sheets`` are (name, state, worksheet XML)."""
    sheets = sheets if sheets is not None else [("Data", "visible", sheet_xml(plain_rows()))]
    content_types = (
        XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET}"/>'
            for i in range(1, len(sheets) + 1)
        )
        + overrides
        + "</Types>"
    )
    root_rels = (
        XML_DECL + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{REL_NS}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    )
    entries = "".join(
        f'<sheet name="{name}" sheetId="{i}" state="{state}" r:id="rId{i}"/>'
        for i, (name, state, _) in enumerate(sheets, start=1)
    )
    workbook = XML_DECL + f'<workbook xmlns="{NS}" xmlns:r="{REL_NS}"><sheets>{entries}</sheets>'
    workbook += "</workbook>"
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL_SHEET}" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    workbook_rels = (
        XML_DECL + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships">{rels}</Relationships>'
    )
    parts = {
        "[Content_Types].xml": content_types.encode(),
        "_rels/.rels": root_rels.encode(),
        "xl/workbook.xml": workbook.encode(),
        "xl/_rels/workbook.xml.rels": workbook_rels.encode(),
    }
    for i, (_, _, xml) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml.encode()
    parts.update(extra or {})
    return parts


def write_zip(path: Path, parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def raw_workbook(directory: Path, name: str = "raw.xlsx", **kwargs) -> Path:
    return write_zip(directory / name, package(**kwargs))


def patch_declared_size(path: Path, member: str, size: int) -> None:
    """Make the central directory and the local header lie about ``member``'s inflated size."""
    data = bytearray(path.read_bytes())
    entry = _entries(data)[member]
    struct.pack_into("<L", data, entry + 24, size)
    local = struct.unpack_from("<L", data, entry + 42)[0]
    struct.pack_into("<L", data, local + 22, size)
    path.write_bytes(bytes(data))


# Spreadsheets as a filer would send them.


def clean_workbook(directory: Path, name: str = "clean.xlsx") -> Path:
    """Our template's shape: instructions (with merged cells), the data sheet with two header
    rows, a drop-down list, frozen panes, and the hidden meta sheet."""
    wb = Workbook()
    instructions = wb.active
    instructions.title = "填报说明 Instructions"
    instructions["B2"] = "请从第 3 行起填写数据。Enter data from row 3."
    instructions.merge_cells("B2:J2")  # merged cells outside the data sheet are fine
    data = wb.create_sheet("Data")
    data.append([zh for zh, _ in HEADERS])
    data.append([en for _, en in HEADERS])
    for i in range(1, 51):
        data.append([f"企业 {i}", i * 12.5])
    listing = DataValidation(type="list", formula1='"Y,N"', allow_blank=True)
    data.add_data_validation(listing)
    listing.add("C3:C1000")
    data.freeze_panes = "A3"
    meta = wb.create_sheet("_spec")
    meta.append(["spec", "SME-LOANS"])
    meta.append(["version", "2025"])
    meta.sheet_state = "hidden"
    wb.save(directory / name)
    return directory / name


def _data_workbook() -> tuple[Workbook, Worksheet]:
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append([zh for zh, _ in HEADERS])
    ws.append([en for _, en in HEADERS])
    for i in range(1, 11):
        ws.append([f"企业 {i}", i * 10])
    return wb, ws


def merged_cells(directory: Path) -> Path:
    wb, ws = _data_workbook()
    ws.merge_cells("A4:B4")
    ws.merge_cells("A7:A9")
    wb.save(directory / "merged.xlsx")
    return directory / "merged.xlsx"


def formulas_without_values(directory: Path) -> Path:
    """openpyxl writes a formula with an empty <v/>: no calculated value to read."""
    wb, ws = _data_workbook()
    ws["C3"] = "=B3*2"
    ws["C4"] = "=B4*2"
    ws["B13"] = "=SUM(B3:B12)"
    wb.save(directory / "formulas.xlsx")
    return directory / "formulas.xlsx"


def hidden_rows_and_sheet(directory: Path) -> Path:
    wb, ws = _data_workbook()
    ws.row_dimensions[5].hidden = True
    ws.row_dimensions[8].hidden = True
    wb.create_sheet("Notes").sheet_state = "hidden"
    meta = wb.create_sheet("_spec")  # hidden on purpose by our template: no warning
    meta.sheet_state = "veryHidden"
    wb.save(directory / "hidden.xlsx")
    return directory / "hidden.xlsx"


def missing_sheet(directory: Path) -> Path:
    wb, ws = _data_workbook()
    ws.title = "Sheet1"
    wb.save(directory / "renamed.xlsx")
    return directory / "renamed.xlsx"


def cached_formulas(directory: Path) -> Path:
    """As Excel saves them: a value after every formula, a shared formula, and the "" of a
    text formula written as an empty value."""
    rows = (
        '<row r="1"><c r="A1"><v>2</v></c><c r="B1"><f>A1*2</f><v>4</v></c></row>'
        '<row r="2"><c r="A2"><v>3</v></c>'
        '<c r="B2"><f t="shared" ref="B2:B3" si="0">A2*2</f><v>6</v></c></row>'
        '<row r="3"><c r="A3"><v>5</v></c><c r="B3"><f t="shared" si="0"/><v>10</v></c>'
        '<c r="C3" t="str"><f>IF(A3&gt;9,"big","")</f><v></v></c></row>'
    )
    return raw_workbook(directory, "cached.xlsx", sheets=[("Data", "visible", sheet_xml(rows))])


def pretty_printed_formulas(directory: Path) -> Path:
    """Indented XML, one formula with a value and one without."""
    rows = (
        '\n  <row r="1">\n    <c r="A1">\n      <f>1+1</f>\n      <v>2</v>\n    </c>\n'
        '    <c r="B1">\n      <f>A1+1</f>\n    </c>\n  </row>\n'
    )
    return raw_workbook(directory, "pretty.xlsx", sheets=[("Data", "visible", sheet_xml(rows))])


def prefixed_sheet(directory: Path) -> Path:
    """Every element with an x: prefix, as some generators write; a merged range."""
    rows = (
        '<x:row r="1"><x:c r="A1"><x:f>1+1</x:f><x:v>2</x:v></x:c></x:row>'
        '<x:row r="2" hidden="1"><x:c r="A2"><x:v>1</x:v></x:c></x:row>'
    )
    tail = '<x:mergeCells count="1"><x:mergeCell ref="C1:D2"/></x:mergeCells>'
    xml = sheet_xml(rows, tail, prefix="x")
    return raw_workbook(directory, "prefixed.xlsx", sheets=[("Data", "visible", xml)])


def small_compressible_part(directory: Path) -> Path:
    """A 1 MiB styles part that compresses ~1000:1: legitimate (style bloat), under the floor."""
    styles = XML_DECL + f'<styleSheet xmlns="{NS}"><cellXfs>'
    styles += '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>' * 20_000
    styles += "</cellXfs></styleSheet>"
    return raw_workbook(directory, "styled.xlsx", extra={"xl/styles.xml": styles.encode()})


# Not a workbook at all.


def empty_file(directory: Path) -> Path:
    (directory / "empty.xlsx").write_bytes(b"")
    return directory / "empty.xlsx"


def text_file(directory: Path) -> Path:
    (directory / "notes.xlsx").write_text("These are my notes, not a workbook.\n")
    return directory / "notes.xlsx"


def csv_renamed(directory: Path) -> Path:
    text = "企业名称,贷款余额\n企业 1,12.5\n企业 2,25\n"
    (directory / "data.xlsx").write_bytes(text.encode("gbk"))
    return directory / "data.xlsx"


def pdf_renamed(directory: Path) -> Path:
    (directory / "scan.xlsx").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    return directory / "scan.xlsx"


def plain_zip(directory: Path) -> Path:
    return write_zip(directory / "archive.xlsx", {"readme.txt": b"hello", "data.csv": b"a,b\n"})


def binary_workbook(directory: Path) -> Path:
    """An .xlsb renamed: a zip with xl/workbook.bin instead of xl/workbook.xml."""
    parts = package()
    del parts["xl/workbook.xml"]
    parts["xl/workbook.bin"] = b"\x83\x01\x00"
    return write_zip(directory / "binary.xlsx", parts)


# Compound files (OLE2): old .xls and password-protected workbooks.

CFB_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def compound_file(names: list[str]) -> bytes:
    """A valid compound file of 512-byte sectors: sector 0 is the FAT, sector 1 the directory
    (the root entry and one empty stream per name, at most three)."""
    assert len(names) <= 3
    header = bytearray(512)
    header[0:8] = CFB_MAGIC
    struct.pack_into("<5H", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    # FAT sectors, first directory sector, transaction, mini cutoff, mini FAT, DIFAT.
    struct.pack_into("<8L", header, 44, 1, 1, 0, 4096, END, 0, END, 0)
    struct.pack_into("<109L", header, 76, 0, *[FREE] * 108)
    fat = struct.pack("<128L", FAT_SECTOR, END, *[FREE] * 126)
    directory = b""
    for kind, name in [(5, "Root Entry")] + [(2, n) for n in names]:
        entry = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        entry[: len(encoded)] = encoded
        struct.pack_into("<H2B3L", entry, 64, len(encoded), kind, 1, NO_STREAM, NO_STREAM, 0)
        struct.pack_into("<2L", entry, 116, END, 0)
        directory += bytes(entry)
    directory = directory.ljust(512, b"\0")
    return bytes(header) + fat + directory


def old_xls(directory: Path) -> Path:
    (directory / "old.xlsx").write_bytes(compound_file(["Workbook", "\x05SummaryInformation"]))
    return directory / "old.xlsx"


def old_xls_header_only(directory: Path) -> Path:
    """Just the compound-file magic and a header: enough to know it is not a zip."""
    (directory / "old.xls").write_bytes(CFB_MAGIC + bytes(504))
    return directory / "old.xls"


def old_word_document(directory: Path) -> Path:
    (directory / "letter.xlsx").write_bytes(compound_file(["WordDocument", "1Table"]))
    return directory / "letter.xlsx"


def encrypted_workbook(directory: Path) -> Path:
    """What Excel writes for "Encrypt with password": the package inside a compound file."""
    names = ["\x06DataSpaces", "EncryptionInfo", "EncryptedPackage"]
    (directory / "secret.xlsx").write_bytes(compound_file(names))
    return directory / "secret.xlsx"


# Macros.


def macro_workbook(directory: Path) -> Path:
    """An .xlsm: the VBA project and the macro-enabled content type."""
    overrides = (
        '<Override PartName="/xl/vbaProject.bin" '
        'ContentType="application/vnd.ms-office.vbaProject"/>'
    )
    return raw_workbook(
        directory,
        "macro.xlsm",
        main_type=MACRO_MAIN,
        overrides=overrides,
        extra={"xl/vbaProject.bin": CFB_MAGIC + bytes(504)},
    )


def macro_content_type_only(directory: Path) -> Path:
    return raw_workbook(directory, "macro-type.xlsx", main_type=MACRO_MAIN)


# Zip bombs and limits.


def ratio_bomb(directory: Path, size: int = 20 << 20) -> Path:
    """A 20 MiB shared-strings part that compresses ~1000:1."""
    strings = b"<sst>" + b"<si><t>a</t></si>" * (size // 17) + b"</sst>"
    return raw_workbook(directory, "bomb.xlsx", extra={"xl/sharedStrings.xml": strings})


def lying_size_bomb(directory: Path) -> Path:
    """A shared-strings part that declares 1 KB and inflates to 20 MiB: the ratio the
    directory shows is harmless, only counting the real bytes finds it."""
    path = ratio_bomb(directory)
    patch_declared_size(path, "xl/sharedStrings.xml", 1000)
    return path


def overlapping_entries(directory: Path) -> Path:
    """Two directory entries that point into the same data, as dense zip bombs do."""
    path = raw_workbook(directory, "overlap.xlsx")
    data = bytearray(path.read_bytes())
    first, second = list(_entries(data).values())[:2]
    first_offset = struct.unpack_from("<L", data, first + 42)[0]
    struct.pack_into("<L", data, second + 42, first_offset + 10)
    path.write_bytes(bytes(data))
    return path


def many_members(directory: Path, count: int = 12) -> Path:
    extra = {f"xl/media/image{i}.png": b"\x89PNG" + bytes(20) for i in range(count)}
    return raw_workbook(directory, "many.xlsx", extra=extra)


# Unsafe XML.

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n<sst><si><t>&lol9;</t></si></sst>"
)

EXTERNAL_ENTITY = (
    '<?xml version="1.0"?>\n<!DOCTYPE workbook [\n'
    ' <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
    f'<workbook xmlns="{NS}" xmlns:r="{REL_NS}"><sheets>'
    '<sheet name="&xxe;" sheetId="1" r:id="rId1"/></sheets></workbook>'
)


def entity_bomb(directory: Path) -> Path:
    extra = {"xl/sharedStrings.xml": BILLION_LAUGHS.encode()}
    return raw_workbook(directory, "laughs.xlsx", extra=extra)


def external_entity(directory: Path) -> Path:
    parts = package()
    parts["xl/workbook.xml"] = EXTERNAL_ENTITY.encode()
    return write_zip(directory / "xxe.xlsx", parts)


def doctype_behind_comment(directory: Path) -> Path:
    """A DOCTYPE after 100 KB of comment, past any fixed-size head search."""
    xml = XML_DECL + "<!--" + "padding " * 12_800 + "-->" + BILLION_LAUGHS.split("\n", 1)[1]
    return raw_workbook(
        directory, "hidden-doctype.xlsx", extra={"xl/sharedStrings.xml": xml.encode()}
    )


def utf16_doctype(directory: Path) -> Path:
    """UTF-16 turns "<!DOCTYPE" into other bytes: a byte search alone would miss it."""
    xml = BILLION_LAUGHS.replace('"1.0"?', '"1.0" encoding="UTF-16"?')
    return raw_workbook(
        directory, "utf16.xlsx", extra={"xl/sharedStrings.xml": xml.encode("utf-16")}
    )


# Damaged or incomplete.


def truncated_upload(directory: Path) -> Path:
    """The first half of a good workbook: the zip directory at the end never arrived."""
    data = clean_workbook(directory, "whole.xlsx").read_bytes()
    (directory / "cut.xlsx").write_bytes(data[: len(data) // 2])
    return directory / "cut.xlsx"


def without_workbook_part(directory: Path) -> Path:
    parts = package()
    del parts["xl/workbook.xml"]
    return write_zip(directory / "no-workbook.xlsx", parts)


def without_content_types(directory: Path) -> Path:
    parts = package()
    del parts["[Content_Types].xml"]
    return write_zip(directory / "no-types.xlsx", parts)


def crc_error(directory: Path) -> Path:
    """A stored (uncompressed) sheet with one byte changed after the CRC was written."""
    path = write_zip(directory / "crc.xlsx", package(), zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    position = data.find(b"<t>x2</t>")
    data[position + 3] = ord("y")
    path.write_bytes(bytes(data))
    return path


def malformed_workbook_part(directory: Path) -> Path:
    parts = package()
    parts["xl/workbook.xml"] = b'<workbook xmlns="x"><sheets><sheet name="Data"'
    return write_zip(directory / "malformed.xlsx", parts)


def _entries(data: bytes) -> dict[str, int]:
    """Offsets of the central-directory entries, by member name."""
    found = {}
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        found[data[position + 46 : position + 46 + name_length].decode()] = position
        position = data.find(b"PK\x01\x02", position + 4)
    return found


def corrupt_deflate(directory: Path) -> Path:
    """The sheet's compressed data starts with a block type deflate does not have."""
    path = raw_workbook(directory, "corrupt.xlsx")
    data = bytearray(path.read_bytes())
    local = struct.unpack_from("<L", data, _entries(data)["xl/worksheets/sheet1.xml"] + 42)[0]
    name_length, extra_length = struct.unpack_from("<2H", data, local + 26)
    data[local + 30 + name_length + extra_length] = 0xFF
    path.write_bytes(bytes(data))
    return path


def zip_encrypted(directory: Path) -> Path:
    """A member flagged as encrypted with the zip format's own (weak) password scheme."""
    path = raw_workbook(directory, "zipcrypto.xlsx")
    data = bytearray(path.read_bytes())
    entry = _entries(data)["xl/worksheets/sheet1.xml"]
    struct.pack_into("<H", data, entry + 8, struct.unpack_from("<H", data, entry + 8)[0] | 1)
    path.write_bytes(bytes(data))
    return path


def macro_sheet(directory: Path) -> Path:
    """An Excel 4.0 macro sheet: macros without any VBA project."""
    extra = {"xl/macrosheets/sheet1.xml": sheet_xml().encode()}
    return raw_workbook(directory, "xlm.xlsx", extra=extra)


def duplicate_member(directory: Path) -> Path:
    parts = package()
    path = write_zip(directory / "twice.xlsx", parts)
    with warnings.catch_warnings(), zipfile.ZipFile(path, "a") as archive:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name: we want it
        archive.writestr("xl/workbook.xml", parts["xl/workbook.xml"])
    return path
