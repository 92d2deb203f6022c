"""Every division has an English name for the English pages: its place in pinyin, read as
the place is read, and its kind translated."""

from importlib import import_module

import pytest
from django.urls import reverse
from django.utils import translation

from portal.division_names import english_name, english_names, short_name
from portal.divisions import gbt2260
from portal.models import Division
from portal.structure import save_divisions


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("350000", "Fujian"),
        ("350100", "Fuzhou"),
        ("350102", "Gulou District"),
        ("350181", "Fuqing City"),
        ("110105", "Chaoyang District"),  # not the everyday 'zhaoyang'
        ("140400", "Changzhi"),
        ("411100", "Luohe"),
        ("341500", "Lu'an"),
        ("152900", "Alashan League"),
        ("150425", "Keshiketeng Banner"),
        ("422800", "Enshi Tujia and Miao Autonomous Prefecture"),
        ("420528", "Changyang Tujia Autonomous County"),
        ("520203", "Liuzhi Special District"),
        ("429021", "Shennongjia Forestry District"),
    ],
)
def test_known_names(code, expected):
    assert english_names()[code] == expected


def test_every_division_has_one_and_a_kind_is_never_left_in_chinese():
    names = english_names()
    assert set(names) == set(gbt2260())
    assert all(n and n.isascii() for n in names.values())
    # A county-level city is a City; the same name on a prefecture's code is the city alone.
    assert english_name("350181", "福清市") == "Fuqing City"
    assert english_name("350100", "福州市") == "Fuzhou"


def test_offices_are_named_after_the_place_alone_unless_it_is_one_character():
    names = ("鼓楼区", "长阳土家族自治县", "忠县")
    assert [short_name(n) for n in names] == ["鼓楼", "长阳", "忠县"]


def test_the_english_form_lists_counties_with_their_prefecture(db, matrix, client_for):
    save_divisions(["350000"])
    assert Division.objects.get(code="350123").name_en == "Luoyuan County"
    owner = client_for(matrix.users["owner_a"])
    with translation.override("en"):
        form = owner.get(reverse("complaint-file"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Luoyuan County, Fuzhou" in form
    assert "罗源县" not in form


def test_divisions_saved_before_english_names_get_theirs_on_migrate(db, matrix):
    from django.apps import apps

    migration = import_module("portal.migrations.0007_division_english_names")
    save_divisions(["350000"])
    Division.objects.filter(code__startswith="35").update(name_en="")
    Division.objects.create(code="359999", name_zh="不在表中", office=matrix.p1)

    migration.name_in_english(apps, None)

    assert Division.objects.get(code="350181").name_en == "Fuqing City"
    assert Division.objects.get(code="359999").name_en == ""  # not in GB/T 2260: left alone
