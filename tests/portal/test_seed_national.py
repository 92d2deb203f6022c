"""seed_national: the benchmark structure is a valid tree with valid codes, every time."""

import csv
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from portal import divisions
from portal.division_names import english_names, place_pinyin, short_name
from portal.identifiers import check_credit_code
from portal.models import Branch, Division, Institution, InstitutionKind, Office
from portal.national import national_structure

TINY = "0.01"


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_national", *args, stdout=out)
    return out.getvalue()


def test_tiny_seed_is_a_valid_four_level_tree(db):
    seed("--scale", TINY)

    offices = {o.path: o for o in Office.objects.all()}
    assert Counter(o.level for o in offices.values())[1] == 1
    assert Office.objects.get(level=1).code == "000000"
    assert {o.code for o in offices.values() if o.level == 2} == (
        divisions.PROVINCE_CODES | divisions.PLAN_CITY_CODES
    )
    assert {o.level for o in offices.values()} == {1, 2, 3, 4}
    for office in offices.values():
        assert office.level == office.depth
        assert divisions.level_problem(office.code, office.level) == ""
        if office.level > 1:
            parent = offices[office.path[: -Office.steplen]]
            assert divisions.contains(parent.code, office.code), office.code


def test_tiny_seed_has_every_kind_and_valid_credit_codes(db):
    seed("--scale", TINY)

    assert set(Institution.objects.values_list("kind", flat=True)) == set(InstitutionKind.values)
    codes = [
        *Institution.objects.values_list("credit_code", flat=True),
        *Branch.objects.values_list("credit_code", flat=True),
    ]
    checks = [check_credit_code(code) for code in codes]
    assert all(c.ok and not c.warning and not c.normalised for c in checks)
    assert not Branch.objects.filter(office__level=1).exists()
    assert Branch.objects.count() == 200


def test_seeding_twice_adds_nothing_the_second_time(db):
    first = seed("--scale", TINY)
    counts = (Office.objects.count(), Institution.objects.count(), Branch.objects.count())

    second = seed("--scale", TINY)

    assert f"added {counts[0]} offices, {counts[1]} institutions, {counts[2]} branches" in first
    assert "added 0 offices, 0 institutions, 0 branches and 0 more divisions" in second
    assert (Office.objects.count(), Institution.objects.count(), Branch.objects.count()) == counts


def test_same_seed_same_rows_and_full_scale_sizes():
    full = national_structure()

    assert national_structure() == full
    levels = Counter(o.level for o in full.offices)
    assert levels[2] == 36
    assert 300 <= levels[3] <= 360
    assert 1700 <= levels[4] <= 1900
    assert len(full.institutions) == 4500
    assert len(full.branches) == 20_000
    assert Counter(i.kind for i in full.institutions)[InstitutionKind.INSURER] == 230


def write_csv(path, header: str, rows) -> str:
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header.split())
        writer.writerows(rows)
    return str(path)


def test_seeded_structure_passes_the_loaders(db, tmp_path):
    """What the seed makes, an administrator could have loaded from files."""
    structure = national_structure(scale=0.1)
    offices = write_csv(
        tmp_path / "offices.csv",
        "code name_zh name_en level parent_code",
        ([o.code, o.name_zh, o.name_en, o.level, o.parent_code] for o in structure.offices),
    )
    entities = [
        [
            i.credit_code,
            i.name_zh,
            i.name_en,
            i.kind,
            i.office_code,
            i.licence_code,
            i.bank_code,
            "",
        ]
        for i in structure.institutions
    ]
    branches = [
        [b.credit_code, b.name_zh, b.name_en, "", b.office_code, "", "", b.institution_credit_code]
        for b in structure.branches
    ]
    institutions = write_csv(
        tmp_path / "institutions.csv",
        "credit_code name_zh name_en kind office_code licence_code bank_code parent_credit_code",
        branches + entities,
    )
    out, err = StringIO(), StringIO()

    call_command("load_offices", offices, stdout=out, stderr=err)
    call_command("load_institutions", institutions, stdout=out, stderr=err)

    assert err.getvalue() == ""
    assert Office.objects.count() == len(structure.offices)
    assert Institution.objects.count() == len(structure.institutions)
    assert Branch.objects.count() == len(structure.branches)


@pytest.mark.parametrize("scale", ["0", "1.5"])
def test_scale_outside_zero_to_one_is_refused(db, scale):
    with pytest.raises(CommandError, match="--scale"):
        seed("--scale", scale)


def test_every_office_below_the_bureaus_is_a_real_division_named_after_it(db):
    """No made-up places: each sub-bureau and county office stands on a GB/T 2260 division of
    its bureau's province, named after it in both languages, and so is its division row."""
    seed("--scale", "0.05")
    names = divisions.gbt2260()
    below = Office.objects.filter(level__gte=3)
    assert below.count() > 100
    for office in below:
        place = short_name(names[office.code])
        assert office.name_zh.startswith(place), office.code
        assert office.name_en.startswith(place_pinyin(place)), office.code
        division = Division.objects.get(code=office.code)
        assert (division.name_zh, division.name_en) == (
            names[office.code],
            english_names()[office.code],
        )
    # The rest of the list is there too, each covered by its nearest office, in both languages.
    counties = {
        c for c in names if not c.endswith("00") and c[:2] + "0000" in divisions.PROVINCE_CODES
    }
    assert counties <= set(Division.objects.values_list("code", flat=True))
    assert not Division.objects.filter(name_en="").exists()
    fuzhou = Office.objects.get(code="350100")
    assert (fuzhou.name_zh, fuzhou.name_en) == ("福州监管分局", "Fuzhou Sub-bureau")
