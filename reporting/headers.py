"""Reading a return's header rows: where each of the spec's columns is in the sheet.

A column is found by its heading (Chinese or English, with or without its unit), wherever it
is. When every column is found exactly once, an inserted or moved column is one message naming
it, and the data is read by heading; a column that is missing, renamed or found twice leaves
the sheet unreadable, and the file is rejected with what is wrong with each heading.
"""

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field

import polars as pl
from openpyxl.utils import get_column_letter

from reporting.findings import Example, FileRejected, Finding
from reporting.rulebook import rule
from reporting.spec import ReturnSpec


def norm_header(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", "", text).lower()


@dataclass
class Layout:
    """Where the spec's columns are: ``positions[i]`` is the sheet's 0-based column of the
    spec's column ``i``. ``findings`` are what the filer must still put right (an inserted or
    moved column): errors, but the data can be read."""

    positions: tuple[int, ...]
    findings: list[Finding] = field(default_factory=list)

    def letter(self, index: int) -> str:
        return get_column_letter(self.positions[index] + 1)


def _headings(head: pl.DataFrame) -> list[tuple[str | None, str | None]]:
    """(row 1, row 2) of each of the sheet's columns, from its first rows read as text."""
    return [
        (head[name][0] if head.height > 0 else None, head[name][1] if head.height > 1 else None)
        for name in head.columns
    ]


def _in_place(positions: list[int]) -> set[int]:
    """The spec indexes of the longest run of columns whose sheet order is the spec's: the
    others are the ones that moved (one swap moves one column, not every column after it)."""
    tails: list[int] = []  # sheet position ending the best run of each length
    ends: list[int] = []  # spec index at each tail
    before: dict[int, int | None] = {}
    for index, position in enumerate(positions):
        at = bisect_left(tails, position)
        before[index] = ends[at - 1] if at else None
        if at == len(tails):
            tails.append(position)
            ends.append(index)
        else:
            tails[at], ends[at] = position, index
    kept, current = set(), ends[-1] if ends else None
    while current is not None:
        kept.add(current)
        current = before[current]
    return kept


def _match_headings(
    head: pl.DataFrame, spec: ReturnSpec
) -> tuple[dict[int, int], list[tuple[int, str]], bool]:
    """Each spec column's sheet column, found by its heading in either language ({spec index:
    sheet index}); the sheet's headings matching no column, by sheet index; and whether a
    column's heading appears twice."""
    position: dict[str, int] = {}
    for index, column in enumerate(spec.columns):
        for text in (column.heading_zh, column.heading_en, column.label_zh, column.label_en):
            position[norm_header(text)] = index
    matched: dict[int, int] = {}
    unknown: list[tuple[int, str]] = []
    twice = False
    for index, (zh, en) in enumerate(_headings(head)):
        target = position.get(norm_header(zh), position.get(norm_header(en)))
        if target is not None and target not in matched:
            matched[target] = index
        elif heading := (zh or en or "").strip():
            twice = twice or target is not None
            unknown.append((index, heading))
    return matched, unknown, twice


def read_headers(head: pl.DataFrame, spec: ReturnSpec) -> Layout:
    """Rows 1-2 must carry the template's headings; each column is found by its heading.
    ``head`` is the sheet's first rows as text, from the one read of the whole sheet."""
    matched, unknown, twice = _match_headings(head, spec)
    findings: dict[str, Finding] = {}

    def add(code: str, **params) -> None:
        findings.setdefault(code, Finding(rule(code))).add(Example(sheet=spec.sheet, **params))

    missing = [i for i in range(len(spec.columns)) if i not in matched]
    for index, text in unknown:
        if index in missing:  # an unknown heading where a missing column belongs
            expected = spec.columns[index]
            missing.remove(index)
            add(
                "S012",
                column=expected.key,
                cell=f"{get_column_letter(index + 1)}1",
                value=text,
                params={"found": text, "expected": expected.heading_zh},
            )
        else:
            letter = get_column_letter(index + 1)
            add("S011", cell=f"{letter}1", value=text, params={"found": text, "column": letter})
    for index in missing:
        add("S010", column=spec.columns[index].key, params={"expected": index + 1})
    order = [matched[i] for i in sorted(matched)]
    kept = _in_place(order)
    for rank, target in enumerate(sorted(matched)):
        if rank not in kept:
            add(
                "S013",
                column=spec.columns[target].key,
                cell=f"{get_column_letter(matched[target] + 1)}1",
                params={"expected": target + 1, "found": matched[target] + 1},
            )
    if missing or twice or "S012" in findings or "S010" in findings:
        raise FileRejected(list(findings.values()))
    return Layout(tuple(matched[i] for i in range(len(spec.columns))), list(findings.values()))
