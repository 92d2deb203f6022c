"""The institutions and branches of the national-scale structure (``portal.national``): 4,500
legal entities of every kind in the proportions of the domain notes, seated and supervised
where such institutions are, and 20,000 branches spread as their networks grow: a large bank
reaches most counties, a village bank has a branch or none.
"""

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from portal.division_names import pinyin
from portal.divisions import PLAN_CITIES, PLAN_CITY_CODES
from portal.identifiers import NATIONAL_CODE, make_credit_code
from portal.models import InstitutionKind
from portal.national_offices import Tree, scaled
from portal.national_reference import (
    AREAS,
    BRANDS,
    FOREIGN,
    INSURER_LINES,
    INSURERS,
    JOINT_STOCK,
    LARGE,
    OTHER_LINES,
    POLICY,
    PRIVATE,
    VILLAGE_SPONSORS,
)
from portal.structure import BranchRow, InstitutionRow


def brand_names(rng: random.Random) -> Iterator[tuple[str, str]]:
    pairs = [(a, b) for a in BRANDS for b in BRANDS if a != b]
    rng.shuffle(pairs)
    for (a_zh, a_en), (b_zh, b_en) in pairs:
        yield a_zh + b_zh, pinyin(a_en, b_en)


# Legal entities per kind at full scale: 4,500 in all (domain notes, section 2).
FULL_COUNTS = {
    InstitutionKind.POLICY: len(POLICY),
    InstitutionKind.LARGE: len(LARGE),
    InstitutionKind.JOINT_STOCK: len(JOINT_STOCK),
    InstitutionKind.CITY_COMMERCIAL: 125,
    InstitutionKind.RURAL_COMMERCIAL: 1600,
    InstitutionKind.VILLAGE: 1550,
    InstitutionKind.RURAL_COOPERATIVE: 500,
    InstitutionKind.PRIVATE: len(PRIVATE),
    InstitutionKind.FOREIGN: len(FOREIGN),
    InstitutionKind.OTHER_BANK: 416,
    InstitutionKind.INSURER: 230,
}
FULL_BRANCHES = 20_000
# Relative branch networks by kind: a large bank reaches most counties, a village bank
# has a branch or none.
BRANCH_WEIGHT: dict[str, float] = {
    InstitutionKind.POLICY: 300,
    InstitutionKind.LARGE: 900,
    InstitutionKind.JOINT_STOCK: 150,
    InstitutionKind.CITY_COMMERCIAL: 20,
    InstitutionKind.RURAL_COMMERCIAL: 3,
    InstitutionKind.VILLAGE: 0.5,
    InstitutionKind.RURAL_COOPERATIVE: 2,
    InstitutionKind.PRIVATE: 1,
    InstitutionKind.FOREIGN: 6,
    InstitutionKind.OTHER_BANK: 0.2,
    InstitutionKind.INSURER: 12,
}
NATIONWIDE = {
    InstitutionKind.POLICY,
    InstitutionKind.LARGE,
    InstitutionKind.JOINT_STOCK,
    InstitutionKind.FOREIGN,
    InstitutionKind.INSURER,
}
_LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司")


@dataclass
class _Entity:
    row: InstitutionRow
    province: str  # the bureau its branches start from


class _Codes:
    """Credit, licence and bank codes, numbered in generation order so they never repeat."""

    def __init__(self) -> None:
        self.serial = 0

    def next(self, division: str) -> tuple[str, int]:
        self.serial += 1
        return make_credit_code("91", division, f"N{self.serial:07d}"), self.serial


def build_institutions(
    tree: Tree, scale: float, rng: random.Random, outlets: int | None = None
) -> tuple[list[InstitutionRow], list[BranchRow]]:
    codes = _Codes()
    counts = {kind: scaled(n, scale) for kind, n in FULL_COUNTS.items()}
    listed = [
        (POLICY, InstitutionKind.POLICY, True),
        (LARGE, InstitutionKind.LARGE, True),
        (JOINT_STOCK, InstitutionKind.JOINT_STOCK, True),
        (PRIVATE, InstitutionKind.PRIVATE, False),
        (FOREIGN, InstitutionKind.FOREIGN, False),
    ]
    entities = [
        *(
            entity
            for listing, kind, national in listed
            for entity in _listed(listing, kind, counts[kind], codes, national=national)
        ),
        *_city_banks(counts[InstitutionKind.CITY_COMMERCIAL], tree, codes, rng),
        *_rural(counts, tree, codes, rng),
        *_insurers(counts[InstitutionKind.INSURER], tree, codes, rng),
        *_others(counts[InstitutionKind.OTHER_BANK], tree, codes, rng),
    ]
    total = scaled(FULL_BRANCHES, scale) if outlets is None else outlets
    branches = _branches(entities, total, tree, codes, rng)
    return [e.row for e in entities], branches


def _bureau_of(seat: str) -> str:
    """The level 2 office for a seat: its plan city's bureau, or its province's."""
    if seat[:4] + "00" in PLAN_CITY_CODES:
        return seat[:4] + "00"
    return seat[:2] + "0000"


def _entity(
    codes: _Codes,
    kind: str,
    names: tuple[str, str],
    seat: str,
    office: str,
) -> _Entity:
    credit_code, serial = codes.next(seat)
    is_bank = kind != InstitutionKind.INSURER
    licence = f"B{serial % 10000:04d}H{seat[:2]}{serial:07d}" if is_bank else ""
    bank_code = f"{serial % 1000:03d}{seat[:4]}{serial % 100000:05d}" if is_bank else ""
    row = InstitutionRow(credit_code, *names, kind, office, licence, bank_code)
    return _Entity(row, _bureau_of(seat))


def _listed(
    listing: list[tuple[str, str, str]], kind: str, count: int, codes: _Codes, *, national: bool
) -> list[_Entity]:
    """Real institutions: national ones are supervised from the top, the others by the bureau
    where they are seated."""
    return [
        _entity(codes, kind, (zh, en), seat, NATIONAL_CODE if national else _bureau_of(seat))
        for zh, en, seat in listing[:count]
    ]


def _city_banks(count: int, tree: Tree, codes: _Codes, rng: random.Random) -> list[_Entity]:
    plan_cities = [c.code for c in PLAN_CITIES if c.code != "440300"]  # Shenzhen has none
    places = plan_cities + rng.sample(tree.prefectures, len(tree.prefectures))
    return [
        _entity(
            codes,
            InstitutionKind.CITY_COMMERCIAL,
            (f"{tree.place[code][0]}银行股份有限公司", f"Bank of {tree.place[code][1]}"),
            code,
            code,
        )
        for code in places[:count]
    ]


def _rural(counts: dict, tree: Tree, codes: _Codes, rng: random.Random) -> list[_Entity]:
    places = tree.local
    rng.shuffle(places)
    entities = []

    def local(kind: str, index: int, zh: str, en: str) -> _Entity:
        code = places[index % len(places)]
        place_zh, place_en = tree.place[code]
        return _entity(codes, kind, (place_zh + zh, f"{place_en} {en}"), code, code)

    commercial = counts[InstitutionKind.RURAL_COMMERCIAL]
    for i in range(commercial):
        entities.append(
            local(
                InstitutionKind.RURAL_COMMERCIAL,
                i,
                "农村商业银行股份有限公司",
                "Rural Commercial Bank",
            )
        )
    # A county has a rural commercial bank or, where reform has not reached, a cooperative.
    for i in range(counts[InstitutionKind.RURAL_COOPERATIVE]):
        zh, en = ("农村合作银行", "Rural Cooperative Bank")
        if i % 25:
            zh, en = ("农村信用合作联社", "Rural Credit Cooperative Union")
        entities.append(local(InstitutionKind.RURAL_COOPERATIVE, commercial + i, zh, en))
    for i in range(counts[InstitutionKind.VILLAGE]):
        sponsor_zh, sponsor_en = rng.choice(VILLAGE_SPONSORS)
        entities.append(
            local(
                InstitutionKind.VILLAGE,
                i,
                f"{sponsor_zh}村镇银行股份有限公司",
                f"{sponsor_en} Village Bank",
            )
        )
    return entities


def _insurers(count: int, tree: Tree, codes: _Codes, rng: random.Random) -> list[_Entity]:
    entities = [
        _entity(codes, InstitutionKind.INSURER, (zh, en), seat, NATIONAL_CODE)
        for zh, en, seat in INSURERS[:count]
    ]
    brands = brand_names(rng)
    bureaus = tree.at_level(2)
    while len(entities) < count:
        (brand_zh, brand_en), (line_zh, line_en) = next(brands), rng.choice(INSURER_LINES)
        seat = rng.choice(bureaus)
        names = (brand_zh + line_zh, f"{brand_en} {line_en}")
        entities.append(_entity(codes, InstitutionKind.INSURER, names, seat, seat))
    return entities


def _others(count: int, tree: Tree, codes: _Codes, rng: random.Random) -> list[_Entity]:
    brands = brand_names(rng)
    bureaus = tree.at_level(2)
    weights = [w for _, _, w in OTHER_LINES]
    entities = []
    for _ in range(count):
        brand_zh, brand_en = next(brands)
        line_zh, line_en, _ = rng.choices(OTHER_LINES, weights)[0]
        seat = rng.choice(bureaus)
        prov_zh, prov_en = tree.place[seat]
        names = (f"{prov_zh}{brand_zh}{line_zh}", f"{prov_en} {brand_en} {line_en}")
        entities.append(_entity(codes, InstitutionKind.OTHER_BANK, names, seat, seat))
    return entities


# -- branches --------------------------------------------------------------------------------


def _branch_counts(entities: list[_Entity], total: int) -> list[int]:
    """``total`` shared out by kind weight, exactly (largest remainders get the rest)."""
    weights = [BRANCH_WEIGHT[e.row.kind] for e in entities]
    whole = sum(weights)
    shares = [w * total / whole for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _branches(
    entities: list[_Entity], total: int, tree: Tree, codes: _Codes, rng: random.Random
) -> list[BranchRow]:
    rings = {
        level: rng.sample(tree.at_level(level), len(tree.at_level(level))) for level in (2, 3, 4)
    }
    branches = []
    for entity, count in zip(entities, _branch_counts(entities, total), strict=True):
        places = _branch_places(entity, tree, rings, rng)
        seen: dict[str, int] = defaultdict(int)
        for _ in range(count):
            office = next(places)
            nth = seen[office]
            seen[office] += 1
            credit_code, _ = codes.next(office)
            zh, en = _branch_name(entity.row, tree, office, nth)
            branches.append(BranchRow(credit_code, zh, en, entity.row.credit_code, office))
    return branches


def _branch_places(
    entity: _Entity, tree: Tree, rings: dict[int, list[str]], rng: random.Random
) -> Iterator[str]:
    """Offices in the order a network grows: the home area first, then outwards; round again
    (a second branch in the same place) when every candidate has one."""
    kind = entity.row.kind
    if kind in NATIONWIDE:
        candidates = [entity.province] if entity.province != NATIONAL_CODE else []
        for level in (2, 3, 4):
            ring = rings[level]
            start = rng.randrange(len(ring)) if ring else 0
            candidates += ring[start:] + ring[:start]
    elif kind in {InstitutionKind.PRIVATE, InstitutionKind.OTHER_BANK}:
        candidates = [entity.province, *_descendants(tree, entity.province)]
    else:
        home = entity.row.office_code
        candidates = [home, *tree.children.get(home, [])]
        parent = tree.parent_of[home]
        # Local banks stay in their province: a plan city's bank does not spread to its
        # sibling bureaus.
        if parent and parent != NATIONAL_CODE:
            candidates += [c for c in tree.children[parent] if c != home] + [parent]
    unique = [c for c in dict.fromkeys(candidates) if c != NATIONAL_CODE]
    while True:
        yield from unique


def _descendants(tree: Tree, code: str) -> list[str]:
    found = []
    for child in tree.children.get(code, []):
        found += [child, *_descendants(tree, child)]
    return found


def _short(name_zh: str) -> str:
    for suffix in _LEGAL_SUFFIXES:
        name_zh = name_zh.removesuffix(suffix)
    return name_zh


def _branch_name(entity: InstitutionRow, tree: Tree, office: str, nth: int) -> tuple[str, str]:
    place_zh, place_en = tree.place[office]
    # A county-coded sub-bureau's place is a county: its branches are named like one.
    level = 2 if tree.parent_of[office] == NATIONAL_CODE else 3 if office.endswith("00") else 4
    if entity.kind == InstitutionKind.INSURER:
        kinds = {
            2: ("分公司", "Branch"),
            3: ("中心支公司", "Central Sub-branch"),
            4: ("支公司", "Sub-branch"),
        }
    else:
        kinds = {2: ("分行", "Branch"), 3: ("分行", "Branch"), 4: ("支行", "Sub-branch")}
    kind_zh, kind_en = kinds[level]
    area_zh = area_en = ""
    if nth:
        kind_zh, kind_en = kinds[4]
        area_zh, area_en = AREAS[nth - 1] if nth <= len(AREAS) else (f"第{nth}", f"No. {nth}")
    zh = f"{_short(entity.name_zh)}{place_zh}{area_zh}{kind_zh}"
    en = " ".join(part for part in (f"{entity.name_en},", place_en, area_en, kind_en) if part)
    return zh, en
