"""The first stage of reading a return: decide from its bytes whether an upload may be opened
at all, and learn the workbook's sheets.

Uploads are hostile, so no header is trusted. The zip directory is checked against the limits
before anything is inflated; every member is then inflated as a stream that counts the bytes
it really produces and checks its CRC (``reporting.zip_package``); no XML is parsed before
every XML member's prolog has been checked for a DOCTYPE, and then only the small parts
(content types, workbook, its rels) and only with defusedxml. The data sheet, up to half a
gigabyte of XML, is never parsed here: it is scanned in bounded chunks with byte searches (see
``SheetScan``).
"""

import codecs
import posixpath
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from reporting.findings import Example, FileRejected, Finding
from reporting.rejections import not_a_workbook
from reporting.rulebook import rule
from reporting.sheetscan import EXAMPLES, SheetScan
from reporting.sheetscan import listing as _listing
from reporting.spec import META_SHEET
from reporting.zip_package import (
    DEFAULT_LIMITS,
    Limits,
    ZipPackage,
    byte_size,
    damaged,
    read_ahead,
    too_big,
    unsafe,
)


@dataclass(frozen=True)
class WorkbookFacts:
    sheet_names: list[str]  # in workbook order
    hidden_sheets: list[str]
    sheet_parts: dict[str, str]  # sheet name -> zip member path (via workbook.xml + rels)
    warnings: list[Finding] = field(default_factory=list)  # S020 hidden, S021 cached formulas
    data_scan: SheetScan | None = None  # the data sheet's scan, when one was asked for


def inspect_workbook(
    path: Path,
    *,
    data_sheet: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    declared_size: int | None = None,
) -> WorkbookFacts:
    """Check that ``path`` is a safe, complete, macro-free .xlsx and return its sheets.

    With ``data_sheet``, that sheet must exist and is scanned for merged cells, formulas and
    hidden rows. Raises ``FileRejected`` with the rule that the file breaks.
    """
    path = Path(path)
    size = path.stat().st_size
    if declared_size is not None and size != declared_size:
        raise FileRejected.because("S018", found=size, expected=declared_size)
    if size == 0:
        raise not_a_workbook("empty", "the file is empty")
    if size > limits.max_bytes:
        raise too_big(
            f"the file is {byte_size(size)}, at most {byte_size(limits.max_bytes)}",
            size,
            limits.max_bytes,
        )
    with path.open("rb") as fp:
        magic = fp.read(8)
        if magic == CFB_MAGIC:
            raise _compound_file_rejection(fp, size)
        if not magic.startswith(b"PK"):
            raise not_a_workbook(*_looks_like(magic + fp.read(_TEXT_SNIFF)))
        return _Workbook(fp, size, magic, limits).inspect(data_sheet)


_TEXT_SNIFF = 4096  # bytes read after the magic to tell a text or CSV file from the rest


def _looks_like(head: bytes) -> tuple[str, str]:
    """(kind, detail) of a file that is not a zip package, from its first bytes."""
    for prefix, kind, what in (
        (b"%PDF", "pdf", "a PDF document"),
        (b"\x89PNG", "image", "a PNG image"),
        (b"\xff\xd8\xff", "image", "a JPEG image"),
        (b"GIF8", "image", "a GIF image"),
        (b"Rar!", "archive", "a RAR archive"),
        (b"7z\xbc\xaf", "archive", "a 7-Zip archive"),
        (b"\x1f\x8b", "archive", "a gzip file"),
    ):
        if head.startswith(prefix):
            return kind, what
    if _is_text(head):
        return "text", "text or CSV, not a zip package"
    return "other", "another kind of file, not a zip package"


_TEXT_CONTROLS = frozenset(b"\t\n\r\f")


def _is_text(head: bytes) -> bool:
    """No NUL byte, and the bytes read as UTF-8 or GB18030 (a character cut off at the end of
    the sniffed bytes is fine: the decoder is told more may follow), or hold no control
    character but tabs and line ends (a single-byte code page: a CSV saved on a machine with
    a Western locale, its quotes in Windows-1252)."""
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return True
    return not any(byte < 0x20 and byte not in _TEXT_CONTROLS for byte in head)


# Compound files (OLE2/CFB): old .xls workbooks, and encrypted OOXML, which Excel wraps in a
# compound file holding EncryptionInfo and EncryptedPackage streams.

CFB_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_MARKER = 0xFFFFFFFA  # CFB sector numbers from here up are markers: end of chain, free...


def _compound_file_rejection(fp: BinaryIO, size: int) -> FileRejected:
    names = {name.casefold() for name in _cfb_names(fp, size)}
    if names & {"encryptioninfo", "encryptedpackage"}:
        return FileRejected.because("S004")
    if names & {"worddocument", "powerpoint document"} and not names & {"workbook", "book"}:
        return not_a_workbook("document", "an old Word or PowerPoint document")
    # A Workbook stream, or a directory we cannot walk: an old .xls is by far the likeliest.
    return FileRejected.because("S002")


def _cfb_names(fp: BinaryIO, size: int) -> set[str]:
    """The stream and storage names in a compound file's directory. Empty when the file is too
    short or malformed."""
    compound = _CompoundFile.open(fp, size)
    if compound is None:
        return set()
    directory = compound.chain(compound.first_dir, compound.next_in_fat, compound.sectors)
    return {name for sector in directory for name in _directory_names(sector)}


class _CompoundFile:
    """A compound file read sector by sector: the directory's sector chain is followed through
    the FAT, whose own sectors the header lists and, past the 109th, the DIFAT chain. The file
    is hostile like any upload: every read stays inside it and every chain is followed for at
    most as many steps as it has sectors, so a chain that loops or points outside ends."""

    def __init__(self, fp: BinaryIO, size: int, header: bytes, shift: int):
        self.fp = fp
        self.sector_size = 1 << shift
        self.per_sector = self.sector_size // 4  # sector numbers in one FAT or DIFAT sector
        # Sectors after the header, which takes sector "-1"; the last one may be cut short.
        self.sectors = (size + self.sector_size - 1) // self.sector_size - 1
        n_fat, self.first_dir = struct.unpack_from("<2L", header, 44)
        first_difat, n_difat = struct.unpack_from("<2L", header, 68)
        fat_sectors = list(struct.unpack_from("<109L", header, 76))
        for data in self.chain(first_difat, _next_difat, min(n_difat, self.sectors)):
            fat_sectors.extend(struct.unpack(f"<{self.per_sector}L", data)[:-1])
        self.fat_sectors = fat_sectors[:n_fat]
        self._fat_cache: dict[int, bytes | None] = {}

    @classmethod
    def open(cls, fp: BinaryIO, size: int) -> "_CompoundFile | None":
        """The compound file in ``fp``, or None when its header is cut short or gives a sector
        size other than 512 or 4096 bytes, the only ones compound files have."""
        fp.seek(0)
        header = fp.read(512)
        if len(header) < 512:
            return None
        shift = struct.unpack_from("<H", header, 30)[0]
        if shift not in (9, 12):
            return None
        return cls(fp, size, header, shift)

    def read(self, sector: int) -> bytes | None:
        """The sector's bytes, or None when the file has no such sector or ends inside it."""
        if sector >= self.sectors:
            return None
        self.fp.seek((sector + 1) * self.sector_size)
        data = self.fp.read(self.sector_size)
        return data if len(data) == self.sector_size else None

    def chain(
        self, sector: int, following: Callable[[int, bytes], int], limit: int
    ) -> Iterator[bytes]:
        """The sectors of the chain that starts at ``sector``, at most ``limit`` of them: up to
        an end-of-chain (or other) marker or the first sector that cannot be read.
        ``following(sector, data)`` gives the next sector's number."""
        for _ in range(limit):
            if sector >= _MARKER:
                return
            data = self.read(sector)
            if data is None:
                return
            yield data
            sector = following(sector, data)

    def next_in_fat(self, sector: int, _data: bytes) -> int:
        """The sector after ``sector`` in its chain, or a marker when the FAT cannot tell."""
        index, slot = divmod(sector, self.per_sector)
        if index >= len(self.fat_sectors) or self.fat_sectors[index] >= _MARKER:
            return _MARKER
        if index not in self._fat_cache:
            self._fat_cache[index] = self.read(self.fat_sectors[index])
        data = self._fat_cache[index]
        return _MARKER if data is None else struct.unpack_from("<L", data, slot * 4)[0]


def _next_difat(_sector: int, data: bytes) -> int:
    """A DIFAT sector lists FAT sectors and ends with the number of the next DIFAT sector."""
    return struct.unpack_from("<L", data, len(data) - 4)[0]


# Directory entries of these kinds carry names: a storage, a stream, the root.
_NAMED_ENTRIES = (1, 2, 5)


def _directory_names(sector: bytes) -> Iterator[str]:
    """The names in one directory sector of 128-byte entries: a UTF-16 name of at most 31
    characters, then its length in bytes with the closing NUL, then the entry's kind."""
    for offset in range(0, len(sector), 128):
        length = struct.unpack_from("<H", sector, offset + 64)[0]
        if sector[offset + 66] in _NAMED_ENTRIES and 2 <= length <= 64:
            yield sector[offset : offset + length - 2].decode("utf-16-le", "replace")


# Parts that every workbook has, whatever wrote it.
_REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels")


@dataclass
class _DataSheet:
    """The sheet that holds the return's data: its name, its zip member and the scan of it."""

    name: str
    part: str
    scan: SheetScan = field(default_factory=SheetScan)


class _Workbook(ZipPackage):
    """The workbook in a checked zip package: its parts, its sheets and its data sheet."""

    def inspect(self, data_sheet: str | None) -> WorkbookFacts:
        self._check_part_names()
        # No XML is parsed, by us or by the reader after us, before every member's head is
        # known to carry no DOCTYPE.
        for info in self.members:
            self._check_head(info)
        self._check_content_types()
        sheets = self._sheets()
        sheet_names = [name for name, _, _ in sheets]
        hidden = [name for name, state, _ in sheets if state in ("hidden", "veryhidden")]
        parts = {name: part for name, _, part in sheets}
        data = None
        if data_sheet is not None:
            if data_sheet not in parts:
                raise FileRejected.because("S009", sheet=data_sheet)
            data = _DataSheet(data_sheet, parts[data_sheet])
        self._inflate_all(data)
        if data is not None:
            # Only after every member has passed its size and CRC checks: a damaged member is
            # reported first, and the scan of a damaged sheet is not to be trusted.
            rejections = data.scan.rejections(data.name)
            if rejections:
                raise FileRejected(rejections)
        scan = data.scan if data is not None else None
        return WorkbookFacts(sheet_names, hidden, parts, _warnings(hidden, data), scan)

    def _check_part_names(self) -> None:
        """What the part names alone tell, in this order: a binary workbook, no workbook at
        all, macros (a VBA project or Excel 4.0 macro sheets), a part every workbook has
        missing."""
        names = self.by_name  # casefolded
        if "xl/workbook.bin" in names:
            raise not_a_workbook("xlsb", "a binary workbook (.xlsb)")
        if not any(key.startswith("xl/") for key in names):
            if "mimetype" in names and ("content.xml" in names or "meta-inf/manifest.xml" in names):
                raise not_a_workbook("opendocument", "an OpenDocument package")
            raise not_a_workbook("zip", "a zip file that holds no workbook")
        if any(k.endswith("vbaproject.bin") or k.startswith("xl/macrosheets/") for k in names):
            raise FileRejected.because("S003")
        for required in _REQUIRED_PARTS:
            if required.casefold() not in names:
                raise damaged(f"{required} is missing")

    def _inflate_all(self, data: _DataSheet | None) -> None:
        """Every member is inflated in full, in file order: its real size and CRC are checked,
        so that no reader after us meets a member bigger than its header says. The data
        sheet is scanned on the way; a member already read in full is not read again."""
        for info in sorted(self.members, key=lambda i: i.header_offset):
            if data is not None and info.filename == data.part:
                for chunk in read_ahead(self._stream(info)):
                    data.scan.feed(chunk)
                data.scan.close()
            elif info.filename not in self.verified:
                for _ in self._stream(info):
                    pass

    def _parse(self, part: str) -> Element:
        data = self._read_small(part)
        try:
            return SafeET.fromstring(data)
        except DefusedXmlException as exc:  # the head check should have stopped it already
            raise unsafe(f"{type(exc).__name__} in {part}") from None
        except (SafeET.ParseError, ValueError):
            raise damaged(f"{part} is not well-formed XML") from None

    def _check_content_types(self) -> None:
        for element in self._parse("[Content_Types].xml").iter():
            content_type = element.get("ContentType", "").casefold()
            if any(m in content_type for m in ("macroenabled", "vbaproject", "macrosheet")):
                raise FileRejected.because("S003")

    def _sheets(self) -> list[tuple[str, str, str]]:
        """(name, state, zip member) of each sheet in workbook order."""
        relations: dict[str, tuple[str, str, str]] = {}
        for element in self._parse("xl/_rels/workbook.xml.rels"):
            if _local(element.tag) == "Relationship":
                relations[element.get("Id", "")] = (
                    element.get("Type", ""),
                    element.get("Target", ""),
                    element.get("TargetMode", ""),
                )
        workbook = self._parse("xl/workbook.xml")
        sheets: list[tuple[str, str, str]] = []
        for container in workbook:
            if _local(container.tag) != "sheets":
                continue
            for sheet in container:
                if _local(sheet.tag) != "sheet":
                    continue
                name = sheet.get("name")
                rel_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), "")
                kind, target, mode = relations.get(rel_id, ("", "", ""))
                if not name or not target or mode.casefold() == "external":
                    raise damaged(f"xl/workbook.xml lists a sheet without its part ({name})")
                if "macrosheet" in kind.casefold():
                    raise FileRejected.because("S003")
                part = target[1:] if target.startswith("/") else posixpath.join("xl", target)
                part = posixpath.normpath(unquote(part))
                state = sheet.get("state", "visible").casefold()
                sheets.append((name, state, self._member(part).filename))
        return sheets


def _warnings(hidden: list[str], data: _DataSheet | None) -> list[Finding]:
    """S020 for hidden sheets and rows, then S021 for formulas with cached values."""
    warnings = []
    hidden_finding = _hidden_finding(hidden, data)
    if hidden_finding is not None:
        warnings.append(hidden_finding)
    cached = data.scan.cached_finding(data.name) if data is not None else None
    if cached is not None:
        warnings.append(cached)
    return warnings


def _hidden_finding(hidden: list[str], data: _DataSheet | None) -> Finding | None:
    """One S020 warning for the sheets the filer hid and the data sheet's hidden rows."""
    shown_hidden = [name for name in hidden if name != META_SHEET]  # ours, hidden on purpose
    examples = []
    if shown_hidden:
        listed = ", ".join(f"'{name}'" for name in shown_hidden[:EXAMPLES])
        more = len(shown_hidden) - EXAMPLES
        detail = f"sheets {listed}" + (f" … +{more}" if more > 0 else "")
        examples.append(Example(sheet=shown_hidden[0], params={"detail": detail}))
    hidden_rows = data.scan.hidden_count if data is not None else 0
    if data is not None and hidden_rows:
        scan = data.scan
        detail = "rows " + _listing(scan.hidden_rows, scan.hidden_count)
        row = int(scan.hidden_rows[0]) if scan.hidden_rows[0].isdigit() else None
        examples.append(Example(sheet=data.name, row=row, params={"detail": detail}))
    if not examples:
        return None
    return Finding(rule("S020"), count=len(shown_hidden) + hidden_rows, examples=examples)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
