"""The office tree of the national-scale structure (``portal.national``): the General Bureau,
the provincial and plan-city bureaus, their sub-bureaus and county offices, in the numbers of
the domain notes, with real names where they are known and made-up place names elsewhere.
"""

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from portal.divisions import PLAN_CITIES, PROVINCES, Province
from portal.identifiers import NATIONAL_CODE
from portal.national_reference import (
    COUNTY_LEVEL_SUB_BUREAUS,
    FIRST,
    NO_COUNTIES,
    OFFICE_COUNTS,
    REAL_PREFECTURES,
    SECOND,
)
from portal.structure import OfficeRow

GENERAL_BUREAU = OfficeRow(
    NATIONAL_CODE, "国家金融监督管理总局", "National Financial Regulatory Administration", 1, None
)


def scaled(count: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(count * scale))


def pinyin(*parts: str) -> str:
    """Joined syllables, with the apostrophe pinyin puts before a vowel (Xi'an)."""
    word = parts[0]
    for part in parts[1:]:
        word += ("'" if part[0] in "aeo" else "") + part
    return word.capitalize()


def place_names(rng: random.Random) -> Iterator[tuple[str, str]]:
    """Distinct made-up place names (Chinese, English), in a seeded order."""
    pairs = [(a, b) for a in FIRST for b in SECOND if a[0] != b[0]]
    rng.shuffle(pairs)
    real = {zh for zh, _ in REAL_PREFECTURES.values()} | {
        zh for places in COUNTY_LEVEL_SUB_BUREAUS.values() for _, zh, _ in places
    }
    for (a_zh, a_en), (b_zh, b_en) in pairs:
        if a_zh + b_zh not in real:
            yield a_zh + b_zh, pinyin(a_en, b_en)


def _county_suffixes() -> list[str]:
    """Last pairs for county-level codes in the order a prefecture's places are numbered by
    GB/T 2260: districts from 02, counties from 21, county-level cities from 81, mixed."""
    districts = [f"{n:02d}" for n in range(2, 10)]
    counties = [f"{n:02d}" for n in range(21, 40)]
    cities = [f"{n:02d}" for n in range(81, 90)]
    order = []
    for i in range(len(counties)):
        order += districts[i : i + 1] + counties[2 * i : 2 * i + 2] + cities[i : i + 1]
    return order


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
    names = place_names(rng)
    tree.add(GENERAL_BUREAU, ("总局", "General Bureau"))
    bureaus: list[Province] = [*PROVINCES, *PLAN_CITIES]
    for bureau in bureaus:
        row = OfficeRow(
            bureau.code, f"{bureau.name_zh}监管局", f"{bureau.name_en} Bureau", 2, NATIONAL_CODE
        )
        tree.add(row, (bureau.name_zh, bureau.name_en))
    suffixes = _county_suffixes()
    plan_prefixes = {c.code[:4] for c in PLAN_CITIES}
    for bureau in bureaus:
        prefectures, counties = OFFICE_COUNTS.get(bureau.code, (0, 0))
        local = COUNTY_LEVEL_SUB_BUREAUS.get(bureau.code, [])
        # The province-run units are extras; districts and plan-city places are the only
        # sub-bureaus their bureau has, so it keeps at least one of them.
        keep = scaled(len(local), scale, minimum=0 if prefectures else 1)
        for code, zh, en in local[:keep]:
            tree.add(sub_bureau(code, zh, en, bureau.code), (zh, en))
        numbers = [n for n in range(1, 40) if f"{bureau.code[:2]}{n:02d}" not in plan_prefixes]
        mine = [f"{bureau.code[:2]}{n:02d}00" for n in numbers[: scaled(prefectures, scale)]]
        if not prefectures:
            continue
        for code in mine:
            zh, en = REAL_PREFECTURES.get(code) or next(names)
            tree.add(sub_bureau(code, zh, en, bureau.code), (zh, en))
        with_counties = [code for code in mine if code not in NO_COUNTIES]
        per = _spread(scaled(counties, scale), len(with_counties), rng)
        for prefecture, count in zip(with_counties, per, strict=True):
            for suffix in suffixes[:count]:
                zh, en = next(names)
                code = prefecture[:4] + suffix
                row = OfficeRow(code, f"{zh}监管支局", f"{en} County Office", 4, prefecture)
                tree.add(row, (zh, en))
    return tree


def sub_bureau(code: str, zh: str, en: str, parent: str) -> OfficeRow:
    return OfficeRow(code, f"{zh}监管分局", f"{en} Sub-bureau", 3, parent)


def _spread(total: int, bins: int, rng: random.Random) -> list[int]:
    """``total`` split over ``bins`` as evenly as possible, the remainder to random bins."""
    base, extra = divmod(total, bins)
    lucky = set(rng.sample(range(bins), extra))
    return [base + (i in lucky) for i in range(bins)]
