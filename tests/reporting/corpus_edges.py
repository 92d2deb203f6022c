"""More of the hostile corpus: compound files laid out sector by sector, for the edge cases of
the directory walk, and zip packages whose member entries lie, for the edge cases of the member
streams and of the order of the checks. Kept apart from ``corpus``, which is at its size limit;
like it, every byte is made here."""

import struct
from collections.abc import Callable
from pathlib import Path

from tests.reporting.corpus import (
    CFB_MAGIC,
    END,
    FREE,
    MACRO_MAIN,
    MAIN,
    NO_STREAM,
    _entries,
    package,
    plain_rows,
    sheet_xml,
    write_zip,
)

MiB = 1 << 20
MERGED = '<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>'

# Compound files.

STREAM, STORAGE, ROOT = 2, 1, 5


def directory_entry(kind: int, name: str, length: int | None = None) -> bytes:
    """One 128-byte directory entry; ``length`` overrides the name's byte length (with its NUL)."""
    entry = bytearray(128)
    encoded = (name + "\0").encode("utf-16-le")[:64]
    entry[: len(encoded)] = encoded
    size = len(encoded) if length is None else length
    struct.pack_into("<H2B3L", entry, 64, size, kind, 1, NO_STREAM, NO_STREAM, 0)
    struct.pack_into("<2L", entry, 116, END, 0)
    return bytes(entry)


def directory_sector(*names: str, kind: int = STREAM) -> bytes:
    """A directory sector of streams named ``names`` (four entries fit in 512 bytes)."""
    return b"".join(directory_entry(kind, name) for name in names)


def fat_sector(links: dict[int, int], shift: int = 9) -> bytes:
    """A FAT sector: ``links`` maps a sector to the next in its chain; the rest are free."""
    entries = [FREE] * ((1 << shift) // 4)
    for sector, following in links.items():
        entries[sector % len(entries)] = following
    return struct.pack(f"<{len(entries)}L", *entries)


def difat_sector(fat: list[int], following: int) -> bytes:
    """A DIFAT sector of 512 bytes: FAT sector numbers, then the next DIFAT sector."""
    return struct.pack("<128L", *fat, *[FREE] * (127 - len(fat)), following)


def compound(
    sectors: dict[int, bytes],
    *,
    first_dir: int,
    fat: tuple[int, ...] = (0,),
    n_fat: int | None = None,
    first_difat: int = END,
    n_difat: int = 0,
    shift: int = 9,
    count: int | None = None,
) -> bytes:
    """A compound file of ``count`` sectors (by default up to the last one given), each
    ``sectors[n]`` or zeros; ``fat`` is the header's list of FAT sectors."""
    size = 1 << shift
    header = bytearray(512)
    header[0:8] = CFB_MAGIC
    struct.pack_into("<5H", header, 24, 0x3E, 3 if shift == 9 else 4, 0xFFFE, shift, 6)
    n_fat = len(fat) if n_fat is None else n_fat
    fields = (n_fat, first_dir, 0, 4096, END, 0, first_difat, n_difat)
    struct.pack_into("<8L", header, 44, *fields)
    struct.pack_into("<109L", header, 76, *fat, *[FREE] * (109 - len(fat)))
    count = max(sectors) + 1 if count is None else count
    body = bytearray(size * count)
    for number, data in sectors.items():
        body[number * size : number * size + len(data)] = data
    return bytes(header).ljust(size, b"\0") + bytes(body)


def two_sector_directory(first: str, second: str, fat: dict[int, int] | None) -> dict[int, bytes]:
    """Sector 0 the FAT (``fat`` its links, None for no FAT sector at all), the directory in
    sectors 1 and 2: the root and ``first`` in one, ``second`` in the other."""
    sectors = {1: directory_sector("Root Entry", first), 2: directory_sector(second)}
    if fat is not None:
        sectors[0] = fat_sector(fat)
    return sectors


# Zip members whose entries lie.


def _local_header(data: bytes, member: str) -> int:
    return struct.unpack_from("<L", data, _entries(data)[member] + 42)[0]


def _patched(path: Path, patch: Callable[[bytearray], None]) -> Path:
    data = bytearray(path.read_bytes())
    patch(data)
    path.write_bytes(bytes(data))
    return path


def without_workbook_rels(directory: Path) -> Path:
    parts = package()
    del parts["xl/_rels/workbook.xml.rels"]
    return write_zip(directory / "no-rels.xlsx", parts)


def local_header_missing(directory: Path, member: str = "xl/worksheets/sheet1.xml") -> Path:
    """The directory points at bytes that are not a local header."""

    def patch(data: bytearray) -> None:
        local = _local_header(data, member)
        data[local : local + 4] = b"XX\x03\x04"

    return _patched(write_zip(directory / "no-local.xlsx", package()), patch)


def local_name_differs(directory: Path, member: str = "xl/worksheets/sheet1.xml") -> Path:
    """The local header names another member than the directory entry pointing at it."""

    def patch(data: bytearray) -> None:
        local = _local_header(data, member)
        data[local + 30 + len(member) - 5] = ord("9")  # sheet1.xml -> sheet9.xml

    return _patched(write_zip(directory / "other-name.xlsx", package()), patch)


def local_extra_overlaps(directory: Path, member: str = "xl/worksheets/sheet1.xml") -> Path:
    """The local header's extra field is said to be 64 KB long: the member's data would then
    run past the start of the directory, where the directory's own check cannot see it."""

    def patch(data: bytearray) -> None:
        struct.pack_into("<H", data, _local_header(data, member) + 28, 0xFFFF)

    return _patched(write_zip(directory / "extra.xlsx", package()), patch)


def deflate_cut_short(directory: Path, member: str = "xl/worksheets/sheet1.xml") -> Path:
    """The directory gives half the member's compressed size: its deflate stream never ends."""

    def patch(data: bytearray) -> None:
        entry = _entries(data)[member]
        size = struct.unpack_from("<L", data, entry + 20)[0]
        struct.pack_into("<L", data, entry + 20, size // 2)

    return _patched(write_zip(directory / "cut-deflate.xlsx", package()), patch)


def longer_declared_size(directory: Path, member: str = "xl/worksheets/sheet1.xml") -> Path:
    """The directory declares ten bytes more than the member inflates to."""

    def patch(data: bytearray) -> None:
        entry = _entries(data)[member]
        size = struct.unpack_from("<L", data, entry + 24)[0]
        struct.pack_into("<L", data, entry + 24, size + 10)

    return _patched(write_zip(directory / "longer.xlsx", package()), patch)


def wrong_crc(path: Path, member: str) -> Path:
    """Change the CRC that the directory gives for ``member``."""

    def patch(data: bytearray) -> None:
        entry = _entries(data)[member]
        struct.pack_into("<L", data, entry + 16, struct.unpack_from("<L", data, entry + 16)[0] ^ 1)

    return _patched(path, patch)


def non_ascii_member(directory: Path) -> Path:
    """A member whose name is not ASCII: the zip flags it as UTF-8."""
    extra = {"xl/media/图片1.png": b"\x89PNG" + bytes(20)}
    return write_zip(directory / "named.xlsx", package(extra=extra))


def big_member(directory: Path, size: int = 9 * MiB, rows: str = "", tail: str = "") -> Path:
    """A member bigger than one inflated chunk (8 MiB), under the ratio floor: legitimate."""
    parts = package([("Data", "visible", sheet_xml(rows or plain_rows(), tail))])
    parts["xl/media/blob.bin"] = b"\0" * size
    return write_zip(directory / "big.xlsx", parts)


def big_member_crc_error(directory: Path, tail: str = "") -> Path:
    """A member whose CRC error shows only when it is inflated to its end: its head (64 KB) is
    fine."""
    return wrong_crc(big_member(directory, size=1 * MiB, tail=tail), "xl/media/blob.bin")


def big_sheet_crc_error(directory: Path) -> Path:
    """A data sheet of ~160 KB, past the head check, whose CRC is wrong."""
    path = big_member(directory, size=0, rows=plain_rows(2500))
    return wrong_crc(path, "xl/worksheets/sheet1.xml")


def several_problems(directory: Path, *problems: str) -> Path:
    """One package with several of these problems: ``xlsb``, ``macros``, ``no-rels``,
    ``doctype``, ``macro-type``, ``no-workbook``."""
    parts = package(main_type=MACRO_MAIN if "macro-type" in problems else MAIN)
    if "xlsb" in problems:
        parts["xl/workbook.bin"] = b"\x83\x01\x00"
    if "macros" in problems:
        parts["xl/vbaProject.bin"] = CFB_MAGIC + bytes(504)
    if "no-rels" in problems:
        del parts["xl/_rels/workbook.xml.rels"]
    if "doctype" in problems:
        parts["xl/sharedStrings.xml"] = b'<?xml version="1.0"?><!DOCTYPE sst []><sst/>'
    if "no-workbook" in problems:
        parts = {"vbaProject.bin": CFB_MAGIC + bytes(504), "readme.txt": b"hello"}
    return write_zip(directory / "several.xlsx", parts)


def hidden_sheets(directory: Path, count: int, rows: str = "") -> Path:
    """A data sheet (``rows`` in it) and ``count`` hidden sheets H1, H2..."""
    sheets = [("Data", "visible", sheet_xml(rows or plain_rows()))]
    sheets += [(f"H{i}", "hidden", sheet_xml()) for i in range(1, count + 1)]
    return write_zip(directory / "hidden-sheets.xlsx", package(sheets))
