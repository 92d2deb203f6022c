"""The office tree of the national-scale structure (``portal.national``): the General Bureau,
the provincial and plan-city bureaus, their sub-bureaus and county offices, in the numbers of
the domain notes, each on a real GB/T 2260 division and named after it (福州监管分局 Fuzhou
Sub-bureau, 鼓楼监管支局 Gulou County Office).
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from portal.division_names import place_pinyin, short_name
from portal.divisions import PLAN_CITIES, PROVINCES, Province, gbt2260
from portal.identifiers import NATIONAL_CODE
from portal.national_reference import COUNTY_LEVEL_SUB_BUREAUS, OFFICE_COUNTS
from portal.structure import OfficeRow

GENERAL_BUREAU = OfficeRow(
    NATIONAL_CODE, "国家金融监督管理总局", "National Financial Regulatory Administration", 1, None
)


def scaled(count: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(count * scale))


def place(code: str) -> tuple[str, str]:
    """A division's place name in Chinese and English, as offices are named after it
    (鼓楼区 -> 鼓楼, Gulou)."""
    short = short_name(gbt2260()[code])
    return short, place_pinyin(short)


@cache
def _levels() -> dict[tuple[str, bool], list[str]]:
    """GB/T 2260 codes below the provinces by (province or prefecture prefix, whether
    prefecture-level), in code order."""
    found: dict[tuple[str, bool], list[str]] = defaultdict(list)
    for code in sorted(gbt2260()):
        if code.endswith("00") and not code.endswith("0000"):
            found[(code[:2], True)].append(code)
        elif not code.endswith("00"):
            found[(code[:4], False)].append(code)
    return found


def divisions_under(prefix: str, prefecture_level: bool) -> list[str]:
    """The prefecture-level divisions of a province (prefix of two digits), or the county-level
    ones of a prefecture (four), in code order (a prefecture's districts, then its counties,
    then its cities)."""
    return list(_levels().get((prefix, prefecture_level), []))


# -- offices ---------------------------------------------------------------------------------


@dataclass
class Tree:
    """The generated offices and the lookups the institution generator needs."""

    offices: list[OfficeRow] = field(default_factory=list)
    place: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> short names
    children: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    parent_of: dict[str, str | None] = field(default_factory=dict)

    def add(self, row: OfficeRow, place: tuple[str, str]) -> None:
        self.offices.append(row)
        self.place[row.code] = place
        self.parent_of[row.code] = row.parent_code
        if row.parent_code:
            self.children[row.parent_code].append(row.code)

    def at_level(self, level: int) -> list[str]:
        return [row.code for row in self.offices if row.level == level]

    @property
    def local(self) -> list[str]:
        """Offices for county-level places: county offices and county-coded sub-bureaus."""
        return [
            row.code
            for row in self.offices
            if row.level == 4 or (row.level == 3 and not row.code.endswith("00"))
        ]

    @property
    def prefectures(self) -> list[str]:
        return [row.code for row in self.offices if row.level == 3 and row.code.endswith("00")]


def build_tree(scale: float, rng: random.Random) -> Tree:
    tree = Tree()
    tree.add(GENERAL_BUREAU, ("总局", "General Bureau"))
    bureaus: list[Province] = [*PROVINCES, *PLAN_CITIES]
    for bureau in bureaus:
        row = OfficeRow(
            bureau.code, f"{bureau.name_zh}监管局", f"{bureau.name_en} Bureau", 2, NATIONAL_CODE
        )
        tree.add(row, (bureau.name_zh, bureau.name_en))
    plan_prefixes = tuple(c.code[:4] for c in PLAN_CITIES)
    for bureau in bureaus:
        prefectures, counties = OFFICE_COUNTS.get(bureau.code, (0, 0))
        local = COUNTY_LEVEL_SUB_BUREAUS.get(bureau.code, [])
        # The province-run units are extras; districts and plan-city places are the only
        # sub-bureaus their bureau has, so it keeps at least one of them.
        for code in local[: scaled(len(local), scale, minimum=0 if prefectures else 1)]:
            tree.add(sub_bureau(code, bureau.code), place(code))
        if not prefectures:
            continue
        mine = [
            code
            for code in divisions_under(bureau.code[:2], prefecture_level=True)
            if not code.startswith(plan_prefixes)
        ][: scaled(prefectures, scale)]
        for code in mine:
            tree.add(sub_bureau(code, bureau.code), place(code))
        for code, prefecture in _county_offices(mine, scaled(counties, scale), rng):
            zh, en = place(code)
            tree.add(
                OfficeRow(code, f"{zh}监管支局", f"{en} County Office", 4, prefecture), (zh, en)
            )
    return tree


def _county_offices(
    prefectures: list[str], total: int, rng: random.Random
) -> list[tuple[str, str]]:
    """``total`` county offices (code, prefecture) spread over the prefectures' real counties
    as evenly as they allow, in a seeded order of prefectures; the rest of the counties are
    covered by their sub-bureau."""
    free = {p: divisions_under(p[:4], prefecture_level=False) for p in prefectures}
    order = rng.sample(prefectures, len(prefectures))
    chosen: list[tuple[str, str]] = []
    while len(chosen) < total and any(free.values()):
        for prefecture in order:
            if free[prefecture] and len(chosen) < total:
                chosen.append((free[prefecture].pop(0), prefecture))
    return sorted(chosen)


def sub_bureau(code: str, parent: str) -> OfficeRow:
    zh, en = place(code)
    return OfficeRow(code, f"{zh}监管分局", f"{en} Sub-bureau", 3, parent)
