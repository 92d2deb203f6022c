"""Which cells of a return's rate columns are formatted as percentages.

Excel and LibreOffice store "3.23%" typed into a cell as 0.0323 with a percent number format,
and calamine reads the 0.0323. A rate column is in percent a year (3.23 means 3.23%), so the
reader needs to know which of its cells the filer saw as a percentage. The number formats are
in ``xl/styles.xml``, a few kilobytes; when none of them is a percentage (the template's case,
and almost every return's) nothing else is read. Otherwise the data sheet's XML is searched,
as bytes and in chunks, for the start tags of the rate columns' cells with a percent style.
Runs after ``reporting.safety`` has checked the package's sizes and its XML.
"""

import re
import zipfile
from pathlib import Path, PurePosixPath

from defusedxml import ElementTree

PERCENT_BUILTIN = frozenset({9, 10})  # "0%" and "0.00%"
CHUNK = 4 << 20
_QUOTED = re.compile(r'"[^"]*"|\\.')
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _is_percent(code: str) -> bool:
    return "%" in _QUOTED.sub("", code)


def percent_styles(archive: zipfile.ZipFile) -> set[int]:
    """The cell style indexes (``s="…"``) whose number format shows a percentage."""
    try:
        root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except KeyError:
        return set()
    custom = {
        int(fmt.get("numFmtId", "-1")): fmt.get("formatCode", "")
        for fmt in root.iterfind("{*}numFmts/{*}numFmt")
    }
    found = set()
    for index, xf in enumerate(root.iterfind("{*}cellXfs/{*}xf")):
        number = int(xf.get("numFmtId", "0"))
        if number in PERCENT_BUILTIN or _is_percent(custom.get(number, "")):
            found.add(index)
    return found


def sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The package path of the worksheet named ``sheet``."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheets = book.iterfind("{*}sheets/{*}sheet")
    rid = next((s.get(_REL) for s in sheets if s.get("name") == sheet), None)
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((r.get("Target", "") for r in rels if r.get("Id") == rid), None)
    if not target:
        return None
    if target.startswith("/"):
        return target.lstrip("/")
    return str(PurePosixPath("xl") / target)


def _tag_pattern(letters: list[str], styles: set[int]) -> re.Pattern[bytes]:
    """A cell's start tag in one of the columns, with a percent style; Excel, LibreOffice and
    openpyxl write the reference first, and the other order is matched too."""
    column = "|".join(re.escape(letter) for letter in letters).encode()
    style = "|".join(str(s) for s in sorted(styles)).encode()
    ref = rb'\br="(' + column + rb')(\d+)"'
    kind = rb'\bs="(?:' + style + rb')"'
    start = rb"<(?:\w+:)?c\s[^>]*?"
    return re.compile(start + ref + rb"[^>]*?" + kind + b"|" + start + kind + rb"[^>]*?" + ref)


def percent_cells(path: Path, sheet: str, letters: dict[str, str]) -> dict[str, list[int]]:
    """For each rate column (its letter in the sheet -> its key), the Excel rows of its cells
    formatted as percentages."""
    if not letters:
        return {}
    with zipfile.ZipFile(path) as archive:
        styles = percent_styles(archive)
        part = sheet_part(archive, sheet) if styles else None
        if part is None:
            return {}
        pattern = _tag_pattern(sorted(letters), styles)
        found: dict[str, list[int]] = {}
        with archive.open(part) as stream:
            carry = b""
            while chunk := stream.read(CHUNK):
                buf = carry + chunk
                cut = buf.rfind(b"<")
                _collect(pattern, buf[:cut], letters, found)
                carry = buf[cut:]
            _collect(pattern, carry, letters, found)
    return found


def _collect(pattern, buf: bytes, letters: dict[str, str], found: dict[str, list[int]]) -> None:
    for match in pattern.finditer(buf):
        letter, row = match.group(1, 2) if match.group(1) else match.group(3, 4)
        found.setdefault(letters[letter.decode()], []).append(int(row))
