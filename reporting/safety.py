"""The first stage of reading a return: decide from its bytes whether an upload may be opened
at all, and learn the workbook's sheets.

Uploads are hostile, so no header is trusted. The zip directory is checked against the limits
before anything is inflated; every member is then inflated as a stream that counts the bytes
it really produces and checks its CRC; no XML is parsed before every XML member's prolog has
been checked for a DOCTYPE, and then only the small parts (content types, workbook, its rels)
and only with defusedxml. The data sheet, up to half a gigabyte of XML, is never parsed here:
it is scanned in bounded chunks with byte searches (see ``SheetScan``).
"""

import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from reporting.findings import Example, FileRejected, Finding
from reporting.rulebook import rule
from reporting.spec import META_SHEET

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
EXAMPLES = 5  # cells, rows or ranges a message names before "+N"


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 200 * MiB  # the upload itself
    max_members: int = 10_000  # a real workbook has tens; thousands of images is the worst case
    # One member, inflated. A 1,048,576-row, 12-column sheet is ~570 MB of XML; wider specs
    # need more, so leave room up to 1.5 GiB.
    max_member_bytes: int = 1536 * MiB
    max_total_bytes: int = 2 * GiB  # all members together, inflated
    # A real sheet compresses ~8.5:1 and the most repetitive real sheets we could build (one
    # value in every cell, empty styled rows) ~17-28:1; zip bombs run 100:1 to 1000:1.
    max_ratio: float = 60.0
    # Members smaller than this are exempt from the ratio: style bloat (Excel's 64,000 cell
    # formats) makes a legitimate ~5 MB styles.xml that compresses ~200:1. Bounded anyway by
    # max_total_bytes, and no reader holds more than a few of them.
    ratio_floor: int = 16 * MiB
    # Parts parsed into a tree ([Content_Types].xml, xl/workbook.xml and its rels): tiny in
    # any real workbook, so a big one is a memory attack on the parser.
    max_parsed_bytes: int = 32 * MiB
    # The head of every XML member that is searched for a DOCTYPE; the prolog (declaration,
    # comments) must end inside it, so a DOCTYPE cannot hide behind a long comment.
    xml_head_bytes: int = 64 * KiB


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class WorkbookFacts:
    sheet_names: list[str]  # in workbook order
    hidden_sheets: list[str]
    sheet_parts: dict[str, str]  # sheet name -> zip member path (via workbook.xml + rels)
    warnings: list[Finding] = field(default_factory=list)  # S020 hidden, S021 cached formulas


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
        raise FileRejected.because("S001", detail="the file is empty")
    if size > limits.max_bytes:
        raise _too_big(
            f"the file is {_size(size)}, at most {_size(limits.max_bytes)}", size, limits.max_bytes
        )
    with path.open("rb") as fp:
        magic = fp.read(8)
        if magic == CFB_MAGIC:
            raise _compound_file_rejection(fp, size)
        if not magic.startswith(b"PK"):
            raise FileRejected.because("S001", detail=_looks_like(magic))
        return _Package(fp, size, magic, limits).inspect(data_sheet)


def _size(n: float) -> str:
    for unit, scale in (("GB", GiB), ("MB", MiB), ("KB", KiB)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{int(n)} bytes"


def _too_big(detail: str, found: object = "", limit: object = "") -> FileRejected:
    return FileRejected.because("S005", detail=detail, found=found, limit=limit)


def _damaged(detail: str) -> FileRejected:
    return FileRejected.because("S019", detail=detail)


def _unsafe(detail: str) -> FileRejected:
    return FileRejected.because("S006", detail=detail)


def _looks_like(magic: bytes) -> str:
    for prefix, what in (
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"Rar!", "a RAR archive"),
        (b"7z\xbc\xaf", "a 7-Zip archive"),
        (b"\x1f\x8b", "a gzip file"),
    ):
        if magic.startswith(prefix):
            return what
    return "text or another kind of file, not a zip package"


# Compound files (OLE2/CFB): old .xls workbooks, and encrypted OOXML, which Excel wraps in a
# compound file holding EncryptionInfo and EncryptedPackage streams.

CFB_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_MARKER = 0xFFFFFFFA  # CFB sector numbers from here up are markers: end of chain, free...


def _compound_file_rejection(fp: BinaryIO, size: int) -> FileRejected:
    names = {name.casefold() for name in _cfb_names(fp, size)}
    if names & {"encryptioninfo", "encryptedpackage"}:
        return FileRejected.because("S004")
    if names & {"worddocument", "powerpoint document"} and not names & {"workbook", "book"}:
        return FileRejected.because("S001", detail="an old Word or PowerPoint document")
    # A Workbook stream, or a directory we cannot walk: an old .xls is by far the likeliest.
    return FileRejected.because("S002")


def _cfb_names(fp: BinaryIO, size: int) -> set[str]:
    """The stream and storage names in a compound file's directory: the directory's sector
    chain is followed through the FAT. Empty when the file is too short or malformed; every
    loop is bounded by the number of sectors in the file."""
    fp.seek(0)
    header = fp.read(512)
    if len(header) < 512:
        return set()
    shift = struct.unpack_from("<H", header, 30)[0]
    if shift not in (9, 12):
        return set()
    sector_size = 1 << shift
    per_sector = sector_size // 4
    sectors = (size + sector_size - 1) // sector_size - 1  # the header takes sector "-1"
    n_fat, first_dir = struct.unpack_from("<2L", header, 44)
    first_difat, n_difat = struct.unpack_from("<2L", header, 68)
    fat_sectors = list(struct.unpack_from("<109L", header, 76))

    def read(sector: int) -> bytes | None:
        if sector >= sectors:
            return None
        fp.seek((sector + 1) * sector_size)
        data = fp.read(sector_size)
        return data if len(data) == sector_size else None

    sector, steps = first_difat, 0
    while sector < _MARKER and steps < min(n_difat, sectors):
        data = read(sector)
        if data is None:
            break
        entries = struct.unpack(f"<{per_sector}L", data)
        fat_sectors.extend(entries[:-1])
        sector, steps = entries[-1], steps + 1
    fat_sectors = fat_sectors[:n_fat]
    fat_cache: dict[int, bytes | None] = {}

    def next_sector(sector: int) -> int:
        index, slot = divmod(sector, per_sector)
        if index >= len(fat_sectors) or fat_sectors[index] >= _MARKER:
            return _MARKER
        if index not in fat_cache:
            fat_cache[index] = read(fat_sectors[index])
        data = fat_cache[index]
        return _MARKER if data is None else struct.unpack_from("<L", data, slot * 4)[0]

    names: set[str] = set()
    sector, steps = first_dir, 0
    while sector < _MARKER and steps < sectors:
        data = read(sector)
        if data is None:
            break
        for offset in range(0, sector_size, 128):
            length = struct.unpack_from("<H", data, offset + 64)[0]
            if data[offset + 66] in (1, 2, 5) and 2 <= length <= 64:
                names.add(data[offset : offset + length - 2].decode("utf-16-le", "replace"))
        sector, steps = next_sector(sector), steps + 1
    return names


# The zip package.

_EOCD = b"PK\x05\x06"
_LOCAL = b"PK\x03\x04"
_CD_ENTRY_BUDGET = 1 * KiB  # directory bytes allowed per member: real entries take ~100
_IN_CHUNK = 1 * MiB  # compressed bytes read at a time
_OUT_CHUNK = 8 * MiB  # inflated bytes produced at a time: the memory bound of a stream
# Declared encodings in which "<!DOCTYPE" is the same bytes as in ASCII, so the search holds.
_ASCII_ENCODINGS = frozenset(
    {
        *("utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin1", "latin-1"),
        *("windows-1252", "cp1252", "gbk", "gb2312", "gb18030"),
    }
)
_PROLOG = re.compile(rb"(?:\s|<\?.*?\?>|<!--.*?-->)*", re.S)
_ENCODING = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
_NAME_START = re.compile(rb"<[A-Za-z_:\x80-\xff]")


class _Package:
    """One open upload: its zip directory, checked, and streams of its members."""

    def __init__(self, fp: BinaryIO, size: int, magic: bytes, limits: Limits):
        self.fp, self.size, self.limits = fp, size, limits
        eocd = _find_eocd(fp, size)
        if eocd is None:
            if magic.startswith(_LOCAL):
                # It began like a zip but its end, where the directory lives, never came.
                raise FileRejected.because("S018")
            raise FileRejected.because("S001", detail="a file starting with PK but not a zip")
        entries, directory_size = eocd
        if entries > limits.max_members:
            raise _too_big(
                f"{entries:,} parts in the zip, at most {limits.max_members:,}",
                entries,
                limits.max_members,
            )
        if directory_size > limits.max_members * _CD_ENTRY_BUDGET:
            raise _too_big(f"a zip directory of {_size(directory_size)}")
        try:
            archive = zipfile.ZipFile(fp)
        except (
            zipfile.BadZipFile,
            ValueError,
            struct.error,
            EOFError,
            NotImplementedError,
            OSError,
        ):
            raise _damaged("its zip directory cannot be read") from None
        self.members = archive.infolist()
        self.directory_start = archive.start_dir
        self.by_name: dict[str, zipfile.ZipInfo] = {}
        self.verified: set[str] = set()  # members inflated in full, their size and CRC checked
        self._check_directory()

    def _check_directory(self) -> None:
        """Everything the directory can tell, before a single byte is inflated."""
        limits = self.limits
        if len(self.members) > limits.max_members:
            raise _too_big(
                f"{len(self.members):,} parts in the zip, at most {limits.max_members:,}"
            )
        total = 0
        for info in self.members:
            name = info.filename
            key = name.casefold()  # part names are case-insensitive (OPC)
            if key in self.by_name:
                # Two readers could pick different copies: we would check one, use the other.
                raise _damaged(f"the zip lists {name} twice")
            self.by_name[key] = info
            if info.flag_bits & 0x1:
                raise FileRejected.because("S004", detail=f"{name} is zip-encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _damaged(f"{name} uses compression method {info.compress_type}")
            if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
                raise _damaged(f"the sizes of {name} disagree")
            if info.file_size > limits.max_member_bytes:
                raise _too_big(
                    f"{name} unpacks to {_size(info.file_size)}, "
                    f"at most {_size(limits.max_member_bytes)}",
                    info.file_size,
                    limits.max_member_bytes,
                )
            total += info.file_size
            if info.file_size >= limits.ratio_floor and (
                info.file_size > limits.max_ratio * max(info.compress_size, 1)
            ):
                ratio = info.file_size / max(info.compress_size, 1)
                raise _too_big(
                    f"{name} is compressed {ratio:,.0f}:1, at most {limits.max_ratio:,.0f}:1",
                    f"{ratio:,.0f}:1",
                    f"{limits.max_ratio:,.0f}:1",
                )
        if total > limits.max_total_bytes:
            raise _too_big(
                f"the parts unpack to {_size(total)}, at most {_size(limits.max_total_bytes)}",
                total,
                limits.max_total_bytes,
            )
        # Overlapping entries are how the densest zip bombs reuse one compressed kernel for
        # every member; a member's data may not run into the next member or the directory.
        spans = sorted(self.members, key=lambda i: i.header_offset)
        ends = [i.header_offset for i in spans[1:]] + [self.directory_start]
        for info, limit in zip(spans, ends, strict=True):
            if info.header_offset + 30 + info.compress_size > limit:
                raise _too_big(f"zip entries overlap at {info.filename} (a zip-bomb pattern)")

    def inspect(self, data_sheet: str | None) -> WorkbookFacts:
        names = self.by_name
        if "xl/workbook.bin" in names:
            raise FileRejected.because("S001", detail="a binary workbook (.xlsb)")
        if not any(key.startswith("xl/") for key in names):
            raise FileRejected.because("S001", detail="a zip file that holds no workbook")
        if any(k.endswith("vbaproject.bin") or k.startswith("xl/macrosheets/") for k in names):
            raise FileRejected.because("S003")
        for required in ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            if required.casefold() not in names:
                raise _damaged(f"{required} is missing")
        # No XML is parsed, by us or by the reader after us, before every member's head is
        # known to carry no DOCTYPE.
        for info in self.members:
            self._check_head(info)
        self._check_content_types()
        sheets = self._sheets()
        sheet_names = [name for name, _, _ in sheets]
        hidden = [name for name, state, _ in sheets if state in ("hidden", "veryhidden")]
        parts = {name: part for name, _, part in sheets}
        if data_sheet is not None and data_sheet not in parts:
            raise FileRejected.because("S009", sheet=data_sheet)
        scan = SheetScan() if data_sheet is not None else None
        data_part = parts.get(data_sheet or "")
        # Every member is inflated in full, in file order: its real size and CRC are checked,
        # so that no reader after us meets a member bigger than its header says.
        for info in sorted(self.members, key=lambda i: i.header_offset):
            if scan is not None and info.filename == data_part:
                for chunk in self._stream(info):
                    scan.feed(chunk)
                scan.close()
            elif info.filename not in self.verified:
                for _ in self._stream(info):
                    pass
        warnings: list[Finding] = []
        shown_hidden = [name for name in hidden if name != META_SHEET]  # ours, hidden on purpose
        hidden_examples = []
        if shown_hidden:
            listed = ", ".join(f"'{name}'" for name in shown_hidden[:EXAMPLES])
            more = len(shown_hidden) - EXAMPLES
            detail = f"sheets {listed}" + (f" … +{more}" if more > 0 else "")
            hidden_examples.append(Example(sheet=shown_hidden[0], params={"detail": detail}))
        if scan is not None and data_sheet is not None:
            rejections = scan.rejections(data_sheet)
            if rejections:
                raise FileRejected(rejections)
            if scan.hidden_count:
                detail = "rows " + _listing(scan.hidden_rows, scan.hidden_count)
                row = int(scan.hidden_rows[0]) if scan.hidden_rows[0].isdigit() else None
                hidden_examples.append(
                    Example(sheet=data_sheet, row=row, params={"detail": detail})
                )
        if hidden_examples:
            count = len(shown_hidden) + (scan.hidden_count if scan else 0)
            warnings.append(Finding(rule("S020"), count=count, examples=hidden_examples))
        if scan is not None and data_sheet is not None and scan.cached_count:
            warnings.append(scan.cached_finding(data_sheet))
        return WorkbookFacts(sheet_names, hidden, parts, warnings)

    # Streams.

    def _stream(self, info: zipfile.ZipInfo, out_chunk: int = _OUT_CHUNK) -> Iterator[bytes]:
        """The member's bytes in chunks of at most ``out_chunk``. Counts what inflating really
        produces (the directory's sizes can lie) and, once the member is read to its end,
        checks its size and CRC."""
        fp, name = self.fp, info.filename
        fp.seek(info.header_offset)
        local = fp.read(30)
        if len(local) < 30 or not local.startswith(_LOCAL):
            raise _damaged(f"the zip entry of {name} is missing")
        name_length, extra_length = struct.unpack_from("<2H", local, 26)
        encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
        if fp.read(name_length).decode(encoding, "replace") != info.orig_filename:
            raise _damaged(f"the zip entry of {name} names another file")
        start = info.header_offset + 30 + name_length + extra_length
        if start + info.compress_size > self.directory_start:
            raise _too_big(f"zip entries overlap at {name} (a zip-bomb pattern)")
        fp.seek(start)
        inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        left, produced, crc = info.compress_size, 0, 0
        while left and not (inflater and inflater.eof):
            raw = fp.read(min(_IN_CHUNK, left))
            if not raw:
                raise _damaged(f"the data of {name} ends early")
            left -= len(raw)
            pending = raw
            while True:
                try:
                    data = inflater.decompress(pending, out_chunk) if inflater else pending
                except zlib.error:
                    raise _damaged(f"the data of {name} is corrupt") from None
                if data:
                    produced += len(data)
                    if produced > info.file_size:
                        raise _too_big(
                            f"{name} unpacks to more than the {_size(info.file_size)} "
                            "its header declares (a zip-bomb pattern)"
                        )
                    crc = zlib.crc32(data, crc)
                    yield data
                pending = inflater.unconsumed_tail if inflater else b""
                # zlib may hold output back when it filled ``out_chunk`` exactly: ask again.
                if not inflater or inflater.eof or (not pending and len(data) < out_chunk):
                    break
        if inflater is not None and not inflater.eof:
            raise _damaged(f"the data of {name} ends early")
        if produced != info.file_size:
            raise _damaged(f"{name} is shorter than its header says")
        if crc != info.CRC:
            raise _damaged(f"{name} fails its checksum (CRC)")
        self.verified.add(name)

    def _read_small(self, key: str) -> bytes:
        info = self._member(key)
        if info.file_size > self.limits.max_parsed_bytes:
            raise _too_big(
                f"{info.filename} is {_size(info.file_size)}, "
                f"at most {_size(self.limits.max_parsed_bytes)}",
                info.file_size,
                self.limits.max_parsed_bytes,
            )
        return b"".join(self._stream(info))

    def _member(self, part: str) -> zipfile.ZipInfo:
        info = self.by_name.get(part.casefold())
        if info is None:
            raise _damaged(f"{part} is missing")
        return info

    def _check_head(self, info: zipfile.ZipInfo) -> None:
        limit = self.limits.xml_head_bytes
        head = b""
        complete = False
        chunks = self._stream(info, out_chunk=limit)
        for chunk in chunks:
            head += chunk
            if len(head) >= limit:
                break
        else:
            complete = True
        chunks.close()
        problem = _xml_head_problem(head[:limit], info.filename, complete)
        if problem:
            raise _unsafe(problem)

    def _parse(self, part: str) -> Element:
        data = self._read_small(part)
        try:
            return SafeET.fromstring(data)
        except DefusedXmlException as exc:  # the head check should have stopped it already
            raise _unsafe(f"{type(exc).__name__} in {part}") from None
        except (SafeET.ParseError, ValueError):
            raise _damaged(f"{part} is not well-formed XML") from None

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
                    raise _damaged(f"xl/workbook.xml lists a sheet without its part ({name})")
                if "macrosheet" in kind.casefold():
                    raise FileRejected.because("S003")
                part = target[1:] if target.startswith("/") else posixpath.join("xl", target)
                part = posixpath.normpath(unquote(part))
                state = sheet.get("state", "visible").casefold()
                sheets.append((name, state, self._member(part).filename))
        return sheets


def _find_eocd(fp: BinaryIO, size: int) -> tuple[int, int] | None:
    """(member count, directory size) from the end-of-central-directory record, or None when
    there is none: it sits in the last 64 KiB + 22 bytes of every complete zip."""
    tail_length = min(size, 22 + 0xFFFF)
    fp.seek(size - tail_length)
    tail = fp.read(tail_length)
    position = tail.rfind(_EOCD)
    while position >= 0:
        if position + 22 <= len(tail):
            (_, _, _, _, entries, directory_size, _, comment) = struct.unpack_from(
                "<4s4H2LH", tail, position
            )
            if position + 22 + comment <= len(tail):
                if entries == 0xFFFF or directory_size == 0xFFFFFFFF:
                    fallback = (0, 0 if directory_size == 0xFFFFFFFF else directory_size)
                    return _zip64_counts(fp, size - tail_length + position) or fallback
                return entries, directory_size
        position = tail.rfind(_EOCD, 0, position)
    return None


def _zip64_counts(fp: BinaryIO, eocd_offset: int) -> tuple[int, int] | None:
    if eocd_offset < 20:
        return None
    fp.seek(eocd_offset - 20)
    locator = fp.read(20)
    if not locator.startswith(b"PK\x06\x07"):
        return None
    record_offset = struct.unpack_from("<Q", locator, 8)[0]
    fp.seek(record_offset)
    record = fp.read(56)
    if len(record) < 56 or not record.startswith(b"PK\x06\x06"):
        return None
    entries, directory_size = struct.unpack_from("<2Q", record, 32)
    return entries, directory_size


def _xml_head_problem(head: bytes, name: str, complete: bool) -> str:
    """Why the start of member ``name`` is unsafe to hand to an XML parser, or ""."""
    xml_named = name.casefold().endswith((".xml", ".rels", ".vml"))
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:4] in (
        b"<\x00?\x00",
        b"\x00<\x00?",
        b"<\x00\x00\x00",
        b"\x00\x00\x00<",
        b"\x00\x00\xfe\xff",
    ):
        # UTF-16/32 would hide "<!DOCTYPE" from a byte search.
        return f"{name} is not UTF-8"
    body = head.removeprefix(b"\xef\xbb\xbf")
    upper = body.upper()
    if b"<!DOCTYPE" in upper:
        if b" SYSTEM" in upper or b" PUBLIC" in upper:
            return f"an external entity in {name}"
        return f"a DOCTYPE declaration in {name}"
    if b"<!ENTITY" in upper:
        return f"an entity declaration in {name}"
    start = body.lstrip()
    if not start.startswith(b"<"):
        return f"{name} is not UTF-8 XML" if xml_named and start else ""
    declared = _ENCODING.match(start)
    if declared and declared.group(1).decode("ascii", "replace").casefold() not in _ASCII_ENCODINGS:
        return f"{name} declares the encoding {declared.group(1).decode('ascii', 'replace')}"
    prolog_end = _PROLOG.match(body).end()
    if not complete and not _NAME_START.match(body, prolog_end):
        # The root element must begin inside the head: a DOCTYPE can only come before it.
        return f"an XML prolog over {_size(len(head))} in {name}"
    return ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _listing(items: list[str], count: int) -> str:
    """The first few and how many more, e.g. "B4, C7 … +12", which reads in either language."""
    more = count - len(items)
    return ", ".join(items) + (f" … +{more:,}" if more > 0 else "")


# The data sheet.


@dataclass(frozen=True)
class _Patterns:
    """Byte needles and regular expressions for one namespace prefix of a worksheet."""

    f_open: bytes  # "<f": any element starting with f, incl. <formula1> and <filters>
    f_close: bytes
    cached_direct: tuple[bytes, ...]  # a formula followed at once by its value: "</f><v>"
    empty_value: bytes  # "<v></v>"; "<v/>" is not counted as direct anyway
    cell_starts: tuple[bytes, ...]
    cell_end: bytes
    merge: bytes
    formula: re.Pattern[bytes]
    cached_candidate: re.Pattern[bytes]  # where a formula element ends and a <v> follows
    uncached_candidate: re.Pattern[bytes]  # where one ends and no value, or an empty one, does
    cached_after_close: re.Pattern[bytes]
    cached_after_empty_tag: re.Pattern[bytes]
    str_empty: re.Pattern[bytes]  # a text formula whose cached result is "": Excel writes <v></v>
    value: re.Pattern[bytes]
    hidden_row: re.Pattern[bytes]
    merge_ref: re.Pattern[bytes]


@lru_cache(maxsize=8)
def _patterns(prefix: bytes) -> _Patterns:
    p, q = prefix, re.escape(prefix)
    f_tail = rb"f(?:\s[^>]*)?(?:/>|>[^<]*</" + q + rb"f>)"
    v_value = rb"v(?:\s[^>]*)?>[^<]"
    empty_v = rb"(?:<" + q + rb"v\s*/>|<" + q + rb"v(?:\s[^>]*)?>\s*</" + q + rb"v>)"
    return _Patterns(
        f_open=b"<" + p + b"f",
        f_close=b"</" + p + b"f>",
        cached_direct=(b"</" + p + b"f><" + p + b"v>", b"/><" + p + b"v>"),
        empty_value=b"<" + p + b"v></" + p + b"v>",
        cell_starts=(b"<" + p + b"c ", b"<" + p + b"c>"),
        cell_end=b"</" + p + b"c>",
        merge=b"<" + p + b"mergeCell",
        formula=re.compile(b"<" + q + rb"f[\s>/]"),
        cached_candidate=re.compile(rb"(?:</" + q + rb"f>|/>)\s*<" + q + rb"v[\s>/]"),
        uncached_candidate=re.compile(
            rb"(?:</" + q + rb"f>|/>)\s*(?:</" + q + rb"c>|" + empty_v + rb")"
        ),
        cached_after_close=re.compile(b"</" + q + rb"f>\s*<" + q + v_value),
        cached_after_empty_tag=re.compile(b"<" + q + rb"f(?:\s[^>]*)?/>\s*<" + q + v_value),
        str_empty=re.compile(rb"t=[\"']str[\"'][^>]*>\s*<" + q + f_tail + rb"\s*" + empty_v),
        value=re.compile(
            rb"\s*(?:<" + q + rb"v\s*/>|<" + q + rb"v(?:\s[^>]*)?>([^<]*)</" + q + rb"v>)"
        ),
        hidden_row=re.compile(b"<" + q + rb"row\s[^>]*?\bhidden\s*=\s*[\"'](?:1|true)[\"']"),
        merge_ref=re.compile(b"<" + q + rb"mergeCell\s[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']"),
    )


_ROOT = re.compile(
    rb"(?:\xef\xbb\xbf)?(?:\s|<\?.*?\?>|<!--.*?-->)*"  # BOM, declaration, comments
    rb"<(?:([A-Za-z_][\w.\-]*):)?[A-Za-z_][\w.\-]*[\s/>]",  # the root's whole name
    re.S,
)
_TAG_SPAN = 4 * KiB  # a cell's start tag is well within this before its formula
_FORMULA_SPAN = 64 * KiB  # Excel's 8,192-character formula limit, escaped, fits in this
_ATTR_R = re.compile(rb"\sr\s*=\s*[\"']([^\"']*)[\"']")
_ATTR_T = re.compile(rb"\st\s*=\s*[\"']([^\"']*)[\"']")


class SheetScan:
    """Merged cells, formulas (with and without cached values) and hidden rows of one
    worksheet's XML, fed in chunks of any size; memory stays within two chunks.

    Each window is cut just after its last complete cell (``</c>``), so no tag and no cell
    straddles two windows. Most windows hold none of what we look for, and a few byte
    searches (memchr speed) show that; regular expressions only run on windows that do.
    """

    TAG_CUT = 1 * MiB  # with no cell end in this much, cut after the last tag instead
    MAX_CARRY = 16 * MiB  # a "tag" longer than this is not Excel's: cut it anywhere
    ROOT_WINDOW = 64 * KiB  # the root element, whose prefix we need, begins within this

    def __init__(self, examples: int = EXAMPLES):
        self.examples = examples
        self._carry = b""
        self._p: _Patterns | None = None
        self.merged: list[str] = []
        self.merged_count = 0
        self.hidden_rows: list[str] = []
        self.hidden_count = 0
        self.cached: list[str] = []
        self.cached_count = 0
        self.uncached: list[str] = []
        self.uncached_count = 0

    def feed(self, data: bytes) -> None:
        buf = self._carry + data if self._carry else data
        if self._p is None:
            root = _ROOT.match(buf)
            if root is None and len(buf) < self.ROOT_WINDOW:
                self._carry = buf
                return
            # Excel writes the default namespace; some tools write <x:worksheet> and prefix
            # every element, and the needles must carry the same prefix.
            prefix = root.group(1) if root is not None else None
            self._p = _patterns(prefix + b":" if prefix else b"")
        end = buf.rfind(self._p.cell_end)
        if end >= 0:
            end += len(self._p.cell_end)
        elif len(buf) < self.TAG_CUT:
            self._carry = buf  # wait for the cell to end
            return
        else:  # a long run without cells (the merge list, a giant cell): cut after a tag
            end = buf.rfind(b">") + 1
            if end <= 0:
                if len(buf) < self.MAX_CARRY:
                    self._carry = buf
                    return
                end = len(buf)
        self._scan(buf, end)
        self._carry = buf[end:]

    def close(self) -> None:
        if self._p is None:
            self._p = _patterns(b"")
        if self._carry:
            self._scan(self._carry, len(self._carry))
            self._carry = b""

    def _scan(self, buf: bytes, end: int) -> None:
        p = self._p
        assert p is not None
        if buf.find(p.f_open, 0, end) >= 0:
            self._formulas(buf, end)
        if buf.find(b"hidden", 0, end) >= 0:
            self._hidden_rows(buf, end)
        if buf.find(p.merge, 0, end) >= 0:
            refs = p.merge_ref.findall(buf, 0, end)
            self.merged_count += len(refs)
            room = self.examples - len(self.merged)
            self.merged.extend(r.decode("utf-8", "replace") for r in refs[:room])

    def _formulas(self, buf: bytes, end: int) -> None:
        p = self._p
        assert p is not None
        elements = buf.count(p.f_open, 0, end)  # formulas, and also <formula1>, <filters>
        direct = sum(buf.count(n, 0, end) for n in p.cached_direct)
        if direct == elements and buf.find(p.empty_value, 0, end) < 0:
            # Excel's own form: each formula element is at once followed by a non-empty
            # value, and no other element starts with "<f". Four byte searches, no regex.
            formulas = cached = direct
        else:
            formulas = len(p.formula.findall(buf, 0, end))
            cached = len(p.cached_after_close.findall(buf, 0, end))
            cached += len(p.cached_after_empty_tag.findall(buf, 0, end))
            if buf.find(b't="str"', 0, end) >= 0 or buf.find(b"t='str'", 0, end) >= 0:
                cached += len(p.str_empty.findall(buf, 0, end))
            cached = min(cached, formulas)
        uncached = formulas - cached
        self.cached_count += cached
        self.uncached_count += uncached
        want = min(self.examples - len(self.uncached), uncached)
        if want > 0:
            self.uncached.extend(self._examples(buf, end, p.uncached_candidate, False, want))
        want = min(self.examples - len(self.cached), cached)
        if want > 0:
            self.cached.extend(self._examples(buf, end, p.cached_candidate, True, want))

    def _examples(
        self, buf: bytes, end: int, candidate: re.Pattern[bytes], cached: bool, want: int
    ) -> list[str]:
        """Up to ``want`` references of formula cells that are ``cached`` or not. The candidate
        pattern jumps straight to the likely ones, so a few uncached cells among a million
        cached ones cost no walk over every formula; ``_classify`` confirms each."""
        p = self._p
        assert p is not None
        found: list[str] = []
        for match in candidate.finditer(buf, 0, end):
            at = match.start()
            start = buf.rfind(p.f_open, max(0, at - _FORMULA_SPAN), at + 1)
            if start < 0 or buf.find(p.cell_end, start, at) >= 0:
                continue  # "/>" of some other element, not of a formula in this cell
            ref, has_value = self._classify(buf, start, end)
            if has_value == cached:
                found.append(ref)
                if len(found) >= want:
                    break
        return found

    def _classify(self, buf: bytes, start: int, end: int) -> tuple[str, bool]:
        """The cell reference of the formula at ``start`` and whether it has a cached value."""
        p = self._p
        assert p is not None
        ref, text = "?", False
        cell = max(buf.rfind(n, max(0, start - _TAG_SPAN), start) for n in p.cell_starts)
        if cell >= 0:
            tag = buf[cell : buf.find(b">", cell, start) + 1]
            if found := _ATTR_R.search(tag):
                ref = found.group(1).decode("ascii", "replace")
            kind = _ATTR_T.search(tag)
            text = kind is not None and kind.group(1) == b"str"
        tag_end = buf.find(b">", start, end)
        if tag_end < 0:
            return ref, False
        after = tag_end + 1
        if buf[tag_end - 1] != ord("/"):
            close = buf.find(p.f_close, after, min(end, after + _FORMULA_SPAN))
            after = end if close < 0 else close + len(p.f_close)
        value = p.value.match(buf, after, end)
        # An empty value is no value (openpyxl writes <v/>), except that Excel writes the ""
        # of a text formula that way.
        return ref, value is not None and (bool(value.group(1)) or text)

    def _hidden_rows(self, buf: bytes, end: int) -> None:
        p = self._p
        assert p is not None
        if len(self.hidden_rows) >= self.examples:
            self.hidden_count += len(p.hidden_row.findall(buf, 0, end))
            return
        for match in p.hidden_row.finditer(buf, 0, end):
            self.hidden_count += 1
            if len(self.hidden_rows) < self.examples:
                tag = buf[match.start() : buf.find(b">", match.start(), end) + 1]
                found = _ATTR_R.search(tag)
                self.hidden_rows.append(found.group(1).decode("ascii", "replace") if found else "?")

    def rejections(self, sheet: str) -> list[Finding]:
        """S014 merged cells and S015 formulas without values: the sheet cannot be read."""
        findings = []
        if self.merged_count:
            detail = _listing(self.merged, self.merged_count)
            example = Example(sheet=sheet, cell=self.merged[0], params={"detail": detail})
            findings.append(Finding(rule("S014"), count=self.merged_count, examples=[example]))
        if self.uncached_count:
            detail = _listing(self.uncached, self.uncached_count)
            first = self.uncached[0] if self.uncached else ""
            example = Example(sheet=sheet, cell=first, params={"detail": detail})
            findings.append(Finding(rule("S015"), count=self.uncached_count, examples=[example]))
        return findings

    def cached_finding(self, sheet: str) -> Finding:
        """S021: formulas will be read as their cached values."""
        detail = _listing(self.cached, self.cached_count)
        first = self.cached[0] if self.cached else ""
        example = Example(sheet=sheet, cell=first, params={"detail": detail})
        return Finding(rule("S021"), count=self.cached_count, examples=[example])
