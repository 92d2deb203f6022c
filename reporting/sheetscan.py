"""Scanning one worksheet's XML for what the reader must know before it reads the data:
merged cells, formulas with and without cached values, hidden rows. The XML is fed in chunks
of any size and searched as bytes, so a sheet of hundreds of megabytes is scanned in bounded
memory without being parsed."""

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from reporting.findings import Example, Finding
from reporting.rulebook import rule

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
EXAMPLES = 5  # cells, rows or ranges a message names before "+N"


def listing(items: list[str], count: int) -> str:
    """The first few and how many more, e.g. "B4, C7 … +12", which reads in either language."""
    more = count - len(items)
    return ", ".join(items) + (f" … +{more:,}" if more > 0 else "")


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
    # Every cached formula's cell is kept up to this many, so that the reader can leave the
    # rows it drops (a totals row of =SUM()) out of S021; a sheet with more is formulas
    # through and through, and its warning stands as counted.
    TRACKED = 10_000

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
        self.cached_cells: list[str] | None = []  # all of them, while within TRACKED
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
        if self.cached_cells is not None and cached:
            if len(self.cached_cells) + cached > self.TRACKED:
                self.cached_cells = None
            else:
                self.cached_cells.extend(self._examples(buf, end, p.cached_candidate, True, cached))
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
            detail = listing(self.merged, self.merged_count)
            example = Example(sheet=sheet, cell=self.merged[0], params={"detail": detail})
            findings.append(Finding(rule("S014"), count=self.merged_count, examples=[example]))
        if self.uncached_count:
            detail = listing(self.uncached, self.uncached_count)
            first = self.uncached[0] if self.uncached else ""
            example = Example(sheet=sheet, cell=first, params={"detail": detail})
            findings.append(Finding(rule("S015"), count=self.uncached_count, examples=[example]))
        return findings

    def cached_finding(self, sheet: str, left_out: Collection[int] = ()) -> Finding | None:
        """S021: formulas will be read as their cached values; none when there are none
        outside the rows ``left_out`` (rows the reader drops, whose cells are never read)."""
        cells, count = self.cached, self.cached_count
        if left_out and self.cached_cells is not None:
            cells = [c for c in self.cached_cells if _row_of(c) not in left_out]
            count = len(cells)
            cells = cells[: self.examples]
        if not count:
            return None
        detail = listing(cells, count)
        example = Example(sheet=sheet, cell=cells[0] if cells else "", params={"detail": detail})
        return Finding(rule("S021"), count=count, examples=[example])


def _row_of(cell: str) -> int | None:
    """The row number of a reference like "B5"; None for one we could not read ("?")."""
    digits = cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ$")
    return int(digits) if digits.isdigit() else None
