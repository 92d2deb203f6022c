"""English names of the GB/T 2260 divisions, which the list gives in Chinese only: the place in
pinyin (by ``pypinyin``, with the readings place names take where a word reads otherwise) and
the kind of division translated (鼓楼区 -> Gulou District, 福州市 -> Fuzhou, 福清市 -> Fuqing City,
长阳土家族自治县 -> Changyang Tujia Autonomous County). Names are worked out when a division is
saved (``portal.structure``), never per request."""

import re
from functools import cache

from pypinyin import lazy_pinyin

from portal.divisions import PROVINCES, gbt2260

# The kinds of division, longest first; a prefecture-level city (code ending 00) is named by
# its place alone (Fuzhou), a county-level one is a City.
KINDS = [
    ("特别行政区", "Special Administrative Region"),
    ("自治区", "Autonomous Region"),
    ("自治州", "Autonomous Prefecture"),
    ("自治县", "Autonomous County"),
    ("自治旗", "Autonomous Banner"),
    ("地区", "Prefecture"),
    ("特区", "Special District"),
    ("区", "District"),
    ("县", "County"),
    ("市", "City"),
    ("旗", "Banner"),
    ("盟", "League"),
    ("省", "Province"),
]
# Whole names the rules above would get wrong.
WHOLE = {
    "神农架林区": "Shennongjia Forestry District",
    "滨海新区": "Binhai New Area",
    "浦东新区": "Pudong New Area",
    "两江新区": "Liangjiang New Area",
    "香港特别行政区": "Hong Kong",
    "澳门特别行政区": "Macao",
    "台湾省": "Taiwan",
}
# Ethnic groups in autonomous areas' names (GB/T 3304 romanization), with or without 族.
ETHNIC = {
    "蒙古": "Mongol",
    "回": "Hui",
    "藏": "Tibetan",
    "维吾尔": "Uygur",
    "苗": "Miao",
    "彝": "Yi",
    "壮": "Zhuang",
    "布依": "Bouyei",
    "朝鲜": "Korean",
    "满": "Manchu",
    "侗": "Dong",
    "瑶": "Yao",
    "白": "Bai",
    "土家": "Tujia",
    "哈尼": "Hani",
    "哈萨克": "Kazak",
    "傣": "Dai",
    "黎": "Li",
    "傈僳": "Lisu",
    "佤": "Va",
    "畲": "She",
    "拉祜": "Lahu",
    "水": "Shui",
    "东乡": "Dongxiang",
    "纳西": "Naxi",
    "景颇": "Jingpo",
    "柯尔克孜": "Kirgiz",
    "土": "Tu",
    "达斡尔": "Daur",
    "仫佬": "Mulao",
    "羌": "Qiang",
    "布朗": "Blang",
    "撒拉": "Salar",
    "毛南": "Maonan",
    "仡佬": "Gelao",
    "锡伯": "Xibe",
    "普米": "Pumi",
    "塔吉克": "Tajik",
    "怒": "Nu",
    "鄂温克": "Ewenki",
    "保安": "Bonan",
    "裕固": "Yugur",
    "独龙": "Derung",
    "鄂伦春": "Oroqen",
    "各": "Multi-ethnic",
}
# Readings place names take that pypinyin's everyday readings miss: characters read one way in
# every place name, and names read their own way (checked against CC-CEDICT's place names).
CHARACTER_READINGS = {"都": "du", "勒": "le", "什": "shi", "佛": "fo"}
FIRST_CHARACTER_READINGS = {"长": "chang"}
NAME_READINGS = {
    "朝阳": "chao yang",
    "长子": "zhang zi",
    "洪洞": "hong tong",
    "涡阳": "guo yang",
    "漯河": "luo he",
    "珲春": "hun chun",
    "马尾": "ma wei",
    "六合": "lu he",
    "召陵": "shao ling",
    "繁峙": "fan shi",
    "荥经": "ying jing",
    "蚌山": "beng shan",
    "穆棱": "mu ling",
    "称多": "chen duo",
    "南乐": "nan le",
    "伽师": "jia shi",
    "崆峒": "kong tong",
    "浪卡子": "lang ka zi",
    "弓长岭": "gong chang ling",
    "天长": "tian chang",
    "子长": "zi chang",
}
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")


def syllables(place: str) -> list[str]:
    """The place's syllables as it is read, one per character."""
    read = lazy_pinyin(place)
    if not _HAN.match(place) or len(read) != len(place):
        return read
    for i, ch in enumerate(place):
        read[i] = CHARACTER_READINGS.get(ch, read[i])
    if place[0] in FIRST_CHARACTER_READINGS:
        read[0] = FIRST_CHARACTER_READINGS[place[0]]
    for name, reading in NAME_READINGS.items():
        start = place.find(name)
        if start >= 0:
            read[start : start + len(name)] = reading.split()
    return read


def pinyin(*parts: str) -> str:
    """Joined syllables, with the apostrophe pinyin puts before a vowel (Xi'an, Lu'an)."""
    word = parts[0]
    for part in parts[1:]:
        word += ("'" if part[0] in "aeo" else "") + part
    return word.capitalize()


def place_pinyin(place: str) -> str:
    return pinyin(*syllables(place))


def split(name: str) -> tuple[str, list[str], str]:
    """(place, ethnic groups, kind) of a division's name: 长阳土家族自治县 ->
    ('长阳', ['土家'], '自治县')."""
    kind = next((zh for zh, _ in KINDS if name.endswith(zh) and len(name) > len(zh)), "")
    if name in WHOLE and name.endswith(("新区", "林区")):
        kind = name[-2:]
    rest = name[: len(name) - len(kind)]
    groups: list[str] = []
    while "自治" in kind:
        found = next(
            (
                (group, len(group) + 1 if rest.endswith(group + "族") else len(group))
                for group in sorted(ETHNIC, key=len, reverse=True)
                if rest.endswith(group + "族") or (len(group) > 1 and rest.endswith(group))
            ),
            None,
        )
        if found is None:
            break
        groups.insert(0, found[0])
        rest = rest[: -found[1]]
    return rest or groups[0], groups, kind


def short_name(name: str) -> str:
    """The place alone (鼓楼区 -> 鼓楼, 长阳土家族自治县 -> 长阳), as offices are named; a place
    of one character keeps its kind (忠县)."""
    place = split(name)[0]
    return place if len(place) > 1 else name


def english_name(code: str, name: str) -> str:
    """A division's English name; ``code`` tells a prefecture-level city (Fuzhou) from a
    county-level one (Fuqing City)."""
    if name in WHOLE:
        return WHOLE[name]
    place, groups, kind = split(name)
    words = [place_pinyin(place)]
    if groups and kind != "自治区":
        named = [ETHNIC[g] for g in groups]
        words.append(", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0])
    prefecture_city = kind == "市" and code.endswith("00")
    if kind and not prefecture_city and kind not in ("省", "自治区"):
        words.append(dict(KINDS)[kind])
    return " ".join(words)


@cache
def english_names() -> dict[str, str]:
    """Every GB/T 2260 division's English name by code, worked out once per process."""
    provinces = {p.code: p.name_en for p in PROVINCES}
    return {code: provinces.get(code) or english_name(code, n) for code, n in gbt2260().items()}
