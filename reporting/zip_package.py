"""An uploaded zip package, opened defensively: its directory is checked against the limits
before anything is inflated (member count, sizes, compression ratio, overlapping entries), and
every member is inflated as a stream that counts the bytes it really produces and checks its
CRC. The head of each XML member is searched for a DOCTYPE before any parser sees it.

``reporting.safety`` reads the workbook inside such a package.
"""

import re
import struct
import zipfile
import zlib
from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

from reporting.findings import FileRejected
from reporting.rejections import not_a_workbook
from reporting.sheetscan import GiB, KiB, MiB


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


def byte_size(n: float) -> str:
    for unit, scale in (("GB", GiB), ("MB", MiB), ("KB", KiB)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{int(n)} bytes"


def too_big(detail: str, found: object = "", limit: object = "") -> FileRejected:
    return FileRejected.because("S005", detail=detail, found=found, limit=limit)


def damaged(detail: str) -> FileRejected:
    return FileRejected.because("S019", detail=detail)


def unsafe(detail: str) -> FileRejected:
    return FileRejected.because("S006", detail=detail)


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


class ZipPackage:
    """One open upload: its zip directory, checked, and streams of its members."""

    def __init__(self, fp: BinaryIO, size: int, magic: bytes, limits: Limits):
        self.fp, self.size, self.limits = fp, size, limits
        eocd = _find_eocd(fp, size)
        if eocd is None:
            if magic.startswith(_LOCAL):
                # It began like a zip but its end, where the directory lives, never came.
                raise FileRejected.because("S018")
            raise not_a_workbook("damaged", "a file starting with PK but not a zip")
        entries, directory_size = eocd
        if entries > limits.max_members:
            raise too_big(
                f"{entries:,} parts in the zip, at most {limits.max_members:,}",
                entries,
                limits.max_members,
            )
        if directory_size > limits.max_members * _CD_ENTRY_BUDGET:
            raise too_big(f"a zip directory of {byte_size(directory_size)}")
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
            raise damaged("its zip directory cannot be read") from None
        self.members = archive.infolist()
        self.directory_start = archive.start_dir
        self.by_name: dict[str, zipfile.ZipInfo] = {}
        self.verified: set[str] = set()  # members inflated in full, their size and CRC checked
        self._check_directory()

    def _check_directory(self) -> None:
        """Everything the directory can tell, before a single byte is inflated."""
        limits = self.limits
        if len(self.members) > limits.max_members:
            raise too_big(f"{len(self.members):,} parts in the zip, at most {limits.max_members:,}")
        total = 0
        for info in self.members:
            name = info.filename
            key = name.casefold()  # part names are case-insensitive (OPC)
            if key in self.by_name:
                # Two readers could pick different copies: we would check one, use the other.
                raise damaged(f"the zip lists {name} twice")
            self.by_name[key] = info
            if info.flag_bits & 0x1:
                raise FileRejected.because("S004", detail=f"{name} is zip-encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise damaged(f"{name} uses compression method {info.compress_type}")
            if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
                raise damaged(f"the sizes of {name} disagree")
            if info.file_size > limits.max_member_bytes:
                raise too_big(
                    f"{name} unpacks to {byte_size(info.file_size)}, "
                    f"at most {byte_size(limits.max_member_bytes)}",
                    info.file_size,
                    limits.max_member_bytes,
                )
            total += info.file_size
            if info.file_size >= limits.ratio_floor and (
                info.file_size > limits.max_ratio * max(info.compress_size, 1)
            ):
                ratio = info.file_size / max(info.compress_size, 1)
                raise too_big(
                    f"{name} is compressed {ratio:,.0f}:1, at most {limits.max_ratio:,.0f}:1",
                    f"{ratio:,.0f}:1",
                    f"{limits.max_ratio:,.0f}:1",
                )
        if total > limits.max_total_bytes:
            raise too_big(
                f"the parts unpack to {byte_size(total)}, "
                f"at most {byte_size(limits.max_total_bytes)}",
                total,
                limits.max_total_bytes,
            )
        # Overlapping entries are how the densest zip bombs reuse one compressed kernel for
        # every member; a member's data may not run into the next member or the directory.
        spans = sorted(self.members, key=lambda i: i.header_offset)
        ends = [i.header_offset for i in spans[1:]] + [self.directory_start]
        for info, limit in zip(spans, ends, strict=True):
            if info.header_offset + 30 + info.compress_size > limit:
                raise too_big(f"zip entries overlap at {info.filename} (a zip-bomb pattern)")

    # Streams.

    def _stream(
        self, info: zipfile.ZipInfo, out_chunk: int = _OUT_CHUNK
    ) -> Generator[bytes, None, None]:
        """The member's bytes in chunks of at most ``out_chunk``. Counts what inflating really
        produces (the directory's sizes can lie) and, once the member is read to its end,
        checks its size and CRC."""
        name = info.filename
        self.fp.seek(self._data_start(info))
        produced, crc = 0, 0
        for data in self._inflated(info, out_chunk):
            produced += len(data)
            if produced > info.file_size:
                raise too_big(
                    f"{name} unpacks to more than the {byte_size(info.file_size)} "
                    "its header declares (a zip-bomb pattern)"
                )
            crc = zlib.crc32(data, crc)
            yield data
        if produced != info.file_size:
            raise damaged(f"{name} is shorter than its header says")
        if crc != info.CRC:
            raise damaged(f"{name} fails its checksum (CRC)")
        self.verified.add(name)

    def _data_start(self, info: zipfile.ZipInfo) -> int:
        """Where the member's data starts: after its local header, which must be there, name
        the same member as the directory does, and not push the data into the directory."""
        fp, name = self.fp, info.filename
        fp.seek(info.header_offset)
        local = fp.read(30)
        if len(local) < 30 or not local.startswith(_LOCAL):
            raise damaged(f"the zip entry of {name} is missing")
        name_length, extra_length = struct.unpack_from("<2H", local, 26)
        encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
        if fp.read(name_length).decode(encoding, "replace") != info.orig_filename:
            raise damaged(f"the zip entry of {name} names another file")
        start = info.header_offset + 30 + name_length + extra_length
        if start + info.compress_size > self.directory_start:
            raise too_big(f"zip entries overlap at {name} (a zip-bomb pattern)")
        return start

    def _inflated(self, info: zipfile.ZipInfo, out_chunk: int) -> Generator[bytes, None, None]:
        """The member's data from the file's position on: as stored, or inflated in chunks of
        at most ``out_chunk``, up to the end of its deflate stream, which must come."""
        compressed = self._compressed(info)
        if info.compress_type != zipfile.ZIP_DEFLATED:
            yield from compressed  # stored: the directory check admits no other method
            return
        inflater = zlib.decompressobj(-15)
        for raw in compressed:
            yield from _inflate(inflater, raw, out_chunk, info.filename)
            if inflater.eof:
                return  # whatever follows the deflate stream is not read
        raise damaged(f"the data of {info.filename} ends early")

    def _compressed(self, info: zipfile.ZipInfo) -> Generator[bytes, None, None]:
        """The member's compressed bytes from the file's position on, ``_IN_CHUNK`` at most at
        a time: the memory bound of reading them."""
        left = info.compress_size
        while left:
            raw = self.fp.read(min(_IN_CHUNK, left))
            if not raw:
                raise damaged(f"the data of {info.filename} ends early")
            left -= len(raw)
            yield raw

    def _read_small(self, key: str) -> bytes:
        info = self._member(key)
        if info.file_size > self.limits.max_parsed_bytes:
            raise too_big(
                f"{info.filename} is {byte_size(info.file_size)}, "
                f"at most {byte_size(self.limits.max_parsed_bytes)}",
                info.file_size,
                self.limits.max_parsed_bytes,
            )
        return b"".join(self._stream(info))

    def _member(self, part: str) -> zipfile.ZipInfo:
        info = self.by_name.get(part.casefold())
        if info is None:
            raise damaged(f"{part} is missing")
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
            raise unsafe(problem)


# "zlib._Decompress" is the type checkers' name for the inflater's type, which zlib does not
# export: hence the quotes.
def _inflate(
    inflater: "zlib._Decompress", raw: bytes, out_chunk: int, name: str
) -> Generator[bytes, None, None]:
    """Everything that ``raw``, the next compressed bytes of member ``name``, inflates to, in
    chunks of at most ``out_chunk``."""
    pending = raw
    while True:
        try:
            data = inflater.decompress(pending, out_chunk)
        except zlib.error:
            raise damaged(f"the data of {name} is corrupt") from None
        if data:
            yield data
        pending = inflater.unconsumed_tail
        # zlib may hold output back when it filled ``out_chunk`` exactly: ask again.
        if inflater.eof or (not pending and len(data) < out_chunk):
            return


def read_ahead(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks``, with the next one made in a thread while the caller works on this one: zlib
    inflates and checksums without the GIL, so the data sheet's inflating overlaps its scan
    instead of preceding it. One chunk ahead at most: the memory bound stays a chunk's."""
    with ThreadPoolExecutor(max_workers=1) as inflater:
        ahead = inflater.submit(next, chunks, None)
        while (chunk := ahead.result()) is not None:
            ahead = inflater.submit(next, chunks, None)
            yield chunk


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
        return f"an XML prolog over {byte_size(len(head))} in {name}"
    return ""
