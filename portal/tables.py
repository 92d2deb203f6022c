"""Reading a CSV or .xlsx file as a stream of rows under a checked header, and collecting
what is wrong with them as "FILE line N: column X: reason". The loaders build on this."""

import codecs
import csv
import re
import textwrap
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

CSV_ENCODINGS = ("utf-8", "gb18030")
_CHUNK = 1 << 20


class LoadError(Exception):
    """The file cannot be read as a table at all (type, encoding or header)."""


@dataclass(frozen=True)
class Column:
    key: str
    label_zh: str
    description: str
    required: bool = False


def describe(columns: tuple[Column, ...]) -> str:
    """The column layout as help text."""
    width = max(len(c.key) for c in columns)
    return "\n".join(
        textwrap.fill(
            f"{c.description} ({'required; ' if c.required else ''}{c.label_zh})",
            79,
            break_on_hyphens=False,
            initial_indent=f"  {c.key.ljust(width)}  ",
            subsequent_indent=" " * (width + 4),
        )
        for c in columns
    )


# -- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    line: int
    values: dict[str, str]
    stray: bool = False  # a value stands under no header

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass
class Table:
    source: str
    encoding: str
    rows: Iterator[tuple[int, list[str]]]


def open_table(path: str | Path) -> Table:
    path = Path(path)
    if not path.is_file():
        raise LoadError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        encoding = detect_encoding(path)
        return Table(str(path), encoding, _csv_rows(path, encoding))
    if suffix == ".xlsx":
        return Table(str(path), "xlsx", _xlsx_rows(path))
    raise LoadError(f"{path}: expected a .csv or .xlsx file (save .xls files as .xlsx)")


def detect_encoding(path: Path) -> str:
    """utf-8-sig when there is a BOM, else the first of CSV_ENCODINGS that decodes the whole
    file; read in chunks so a large file never sits in memory."""
    with path.open("rb") as stream:
        if stream.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
    for encoding in CSV_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as stream:
                while chunk := stream.read(_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise LoadError(f"{path}: the file is neither UTF-8 nor GB18030 text")


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    with path.open(encoding=encoding, newline="") as stream:
        reader = csv.reader(stream)
        while True:
            # A quoted cell may span lines; report the line the row starts on.
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise LoadError(f"{path} line {line}: not valid CSV ({exc})") from exc
            yield line, [cell.strip() for cell in cells]


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise LoadError(f"{path}: not a readable .xlsx workbook ({exc})") from exc
    try:
        sheet = workbook.worksheets[0]
        # values_only: plain values, never cell objects, so memory stays flat.
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, [cell_text(v) for v in values]
    finally:
        workbook.close()


def cell_text(value: object) -> str:
    """A spreadsheet value as the text a person typed: 350000.0 is '350000'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def header_key(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", unicodedata.normalize("NFKC", cell).strip().lower())


def records(table: Table, columns: tuple[Column, ...]) -> Iterator[Record]:
    """The data rows as column key -> text, after checking the header row."""
    first = next(((line, cells) for line, cells in table.rows if any(cells)), None)
    if first is None:
        raise LoadError(f"{table.source}: the file is empty (expected a header row)")
    header_line, header = first
    positions = _header_positions(table.source, header_line, header, columns)
    for line, cells in table.rows:
        if not any(cells):
            continue
        values = {key: cells[i] if i < len(cells) else "" for key, i in positions.items()}
        stray = any(cells[i] for i in range(len(cells)) if i not in positions.values())
        yield Record(line, values, stray)


def _header_positions(
    source: str, line: int, header: list[str], columns: tuple[Column, ...]
) -> dict[str, int]:
    names = {}
    for column in columns:
        names[header_key(column.key)] = column.key
        names[header_key(column.label_zh)] = column.key
    positions: dict[str, int] = {}
    problems = []
    for i, cell in enumerate(header):
        if not cell:
            continue
        key = names.get(header_key(cell))
        if key is None:
            problems.append(f"column {cell}: unknown column")
        elif key in positions:
            problems.append(f"column {cell}: {key} appears twice")
        else:
            positions[key] = i
    for column in columns:
        if column.required and column.key not in positions:
            problems.append(f"column {column.key}: missing from the header")
    if problems:
        expected = ", ".join(c.key for c in columns)
        lines = [f"{source} line {line}: {p}" for p in problems]
        raise LoadError("\n".join([*lines, f"expected columns: {expected}"]))
    return positions


# -- reporting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def render(self, source: str) -> str:
        column = f" column {self.column}:" if self.column else ""
        return f"{source} line {self.line}:{column} {self.message}"


@dataclass
class Report:
    source: str
    encoding: str = ""
    rows: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    normalised_lines: list[int] = field(default_factory=list)

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append(Problem(line, column, message))

    def warn(self, line: int, column: str, message: str) -> None:
        self.warnings.append(Problem(line, column, message))

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> int:
        return len({p.line for p in self.errors})

    def error_lines(self) -> list[str]:
        return [p.render(self.source) for p in sorted(self.errors, key=_order)]

    def warning_lines(self) -> list[str]:
        lines = [p.render(self.source) for p in sorted(self.warnings, key=_order)]
        if self.normalised_lines:
            shown = ", ".join(str(n) for n in self.normalised_lines[:10])
            more = ", ..." if len(self.normalised_lines) > 10 else ""
            lines.append(
                f"{self.source}: codes on {len(self.normalised_lines)} rows were normalised "
                f"(full-width characters, spaces, lower case) before checking: "
                f"lines {shown}{more}"
            )
        return lines


def _order(problem: Problem) -> tuple[int, str]:
    return problem.line, problem.column
