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
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from reporting.findings import Example, FileRejected, Finding
from reporting.rulebook import rule
from reporting.sheetscan import EXAMPLES, GiB, KiB, MiB, SheetScan
from reporting.sheetscan import listing as _listing
from reporting.spec import META_SHEET


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

    def _stream(
        self, info: zipfile.ZipInfo, out_chunk: int = _OUT_CHUNK
    ) -> Generator[bytes, None, None]:
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
    prolog = _PROLOG.match(body)
    assert prolog is not None  # the pattern matches the empty string too
    prolog_end = prolog.end()
    if not complete and not _NAME_START.match(body, prolog_end):
        # The root element must begin inside the head: a DOCTYPE can only come before it.
        return f"an XML prolog over {_size(len(head))} in {name}"
    return ""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
