"""load_offices and load_institutions: what an administrator loading a file would see."""

import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from portal.identifiers import make_credit_code
from portal.models import Branch, Institution, InstitutionKind, Office
from tests import factories as f

OFFICE_HEADER = ["code", "name_zh", "name_en", "level", "parent_code"]
INSTITUTION_HEADER = [
    "credit_code",
    "name_zh",
    "name_en",
    "kind",
    "office_code",
    "licence_code",
    "bank_code",
    "parent_credit_code",
]

# Children before their parents on purpose: the file's order must not matter.
TREE = [
    ["350102", "鼓楼监管支局", "Gulou County Office", "4", "350100"],
    ["350100", "福州监管分局", "Fuzhou Sub-bureau", "3", "350000"],
    ["350000", "福建监管局", "Fujian Bureau", "2", "000000"],
    ["000000", "国家金融监督管理总局", "NFRA", "1", ""],
]


def write_csv(path, header, rows, encoding="utf-8"):
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path, header, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def load(command, path, *args):
    out, err = StringIO(), StringIO()
    call_command(command, str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def load_error(command, path) -> str:
    with pytest.raises(CommandError) as caught:
        load(command, path)
    return str(caught.value)


@pytest.fixture
def fujian(db):
    gb = f.office("000000", "总局")
    province = f.office("350000", "福建监管局", gb)
    city = f.office("350100", "福州监管分局", province)
    county = f.office("350102", "鼓楼监管支局", city)
    return {"gb": gb, "province": province, "city": city, "county": county}


def parent_of(code: str) -> Office:
    path = Office.objects.get(code=code).path
    return Office.objects.get(path=path[: -Office.steplen])


def code(serial: int, division: str = "350102") -> str:
    return make_credit_code("91", division, f"L{serial:07d}")


# -- offices ---------------------------------------------------------------------------------


def test_offices_file_builds_the_tree_whatever_the_row_order(db, tmp_path):
    out, _ = load("load_offices", write_csv(tmp_path / "offices.csv", OFFICE_HEADER, TREE))

    assert "offices: 4 created, 0 updated, 0 unchanged" in out
    county = Office.objects.get(code="350102")
    ancestors = Office.objects.filter(path__in=[county.path[:n] for n in (4, 8, 12)])
    assert [(o.code, o.level) for o in ancestors.order_by("path")] == [
        ("000000", 1),
        ("350000", 2),
        ("350100", 3),
    ]
    assert county.name_en == "Gulou County Office"


def test_every_bad_office_row_is_reported_with_its_line_and_nothing_is_loaded(db, tmp_path):
    rows = [
        ["000000", "总局", "", "1", ""],  # line 2, good
        ["35000", "福建监管局", "", "2", "000000"],  # line 3
        ["350100", "福州监管分局", "", "2", "000000"],  # line 4
        ["440100", "广州监管分局", "", "3", "350000"],  # line 5
        ["350000", "福建监管局", "", "2", "000000"],  # line 6, good
        ["350000", "又一个福建局", "", "2", "000000"],  # line 7
        ["350103", "", "", "4", "350199"],  # line 8
        ["350181", "福清监管支局", "", "5", "350100"],  # line 9
    ]
    path = write_csv(tmp_path / "offices.csv", OFFICE_HEADER, rows)

    message = load_error("load_offices", path)

    expected = [
        f"{path} line 3: column code: a division code is six digits, got '35000'",
        f"{path} line 4: column code: a level 2 office needs a province code or a "
        "separately planned city's code",
        f"{path} line 5: column code: 440100 does not lie within parent 350000's division",
        f"{path} line 7: column code: 350000 already appears on line 6",
        f"{path} line 8: column name_zh: required",
        f"{path} line 8: column parent_code: no office 350199 in this file or the portal",
        f"{path} line 9: column level: must be 1 (General Bureau)",
    ]
    for line in expected:
        assert line in message
    assert "line 2:" not in message and "line 6:" not in message
    assert "6 of 8 rows" in message and "nothing loaded" in message
    assert not Office.objects.exists()


def test_level_and_division_must_fit_the_parent(db, tmp_path):
    rows = [
        *TREE,
        ["350121", "闽侯监管支局", "", "3", "350100"],  # line 6: a level 3 under a level 3
        ["440103", "荔湾监管支局", "", "4", "350100"],  # line 7: Guangdong code under Fuzhou
    ]
    path = write_csv(tmp_path / "offices.csv", OFFICE_HEADER, rows)

    message = load_error("load_offices", path)

    assert (
        f"{path} line 6: column level: level 3 under 350100, which is level 3: "
        "an office sits one level below its parent"
    ) in message
    assert f"{path} line 7: column code: 440103 does not lie within parent 350100's division" in (
        message
    )
    assert not Office.objects.exists()


def test_a_parent_already_in_the_portal_is_found(fujian, tmp_path):
    rows = [["350121", "闽侯监管支局", "Minhou County Office", "4", "350100"]]
    out, _ = load("load_offices", write_csv(tmp_path / "more.csv", OFFICE_HEADER, rows))

    assert "offices: 1 created" in out
    assert parent_of("350121") == fujian["city"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_excel_writes(db, tmp_path, encoding):
    path = write_csv(tmp_path / "offices.csv", OFFICE_HEADER, TREE, encoding=encoding)

    out, _ = load("load_offices", path)

    assert f"({encoding})" in out
    assert Office.objects.get(code="350100").name_zh == "福州监管分局"


def test_gb18030_file_with_chinese_headers(db, tmp_path):
    header = ["区划代码", "中文名称", "英文名称", "层级", "上级区划代码"]
    path = write_csv(tmp_path / "机构.csv", header, TREE, encoding="gb18030")

    load("load_offices", path)

    assert Office.objects.get(code="350102").name_zh == "鼓楼监管支局"


def test_xlsx_with_numeric_cells(db, tmp_path):
    # Excel keeps typed codes and levels as numbers; 000000 must stay text or it would be 0.
    rows = [
        [350102, "鼓楼监管支局", None, 4, 350100],
        [350100, "福州监管分局", None, 3.0, 350000],
        [350000, "福建监管局", None, 2, "000000"],
        ["000000", "国家金融监督管理总局", "NFRA", 1, None],
    ]

    out, _ = load("load_offices", write_xlsx(tmp_path / "offices.xlsx", OFFICE_HEADER, rows))

    assert "offices: 4 created" in out
    assert parent_of("350102").code == "350100"


def test_xlsx_code_that_lost_its_leading_zeros_gets_a_hint(db, tmp_path):
    path = write_xlsx(tmp_path / "offices.xlsx", OFFICE_HEADER, [[0, "总局", "", 1, None]])

    message = load_error("load_offices", path)

    assert f"{path} line 2: column code: a division code is six digits, got '0'" in message
    assert "format the column as text" in message


def test_loading_the_same_offices_twice_changes_nothing(db, tmp_path):
    path = write_csv(tmp_path / "offices.csv", OFFICE_HEADER, TREE)
    load("load_offices", path)
    before = list(Office.objects.order_by("path").values())

    out, _ = load("load_offices", path)

    assert "offices: 0 created, 0 updated, 4 unchanged" in out
    assert list(Office.objects.order_by("path").values()) == before


def test_renaming_is_an_update_but_moving_is_refused(fujian, tmp_path):
    renamed = [["350100", "福州金融监管分局", "Fuzhou Sub-bureau", "3", "350000"]]
    out, _ = load("load_offices", write_csv(tmp_path / "rename.csv", OFFICE_HEADER, renamed))
    assert "offices: 0 created, 1 updated, 0 unchanged" in out
    assert Office.objects.get(code="350100").name_zh == "福州金融监管分局"

    moved = [["350102", "鼓楼监管支局", "", "4", "350181"], ["350181", "福清", "", "3", "350000"]]
    path = write_csv(tmp_path / "move.csv", OFFICE_HEADER, moved)
    message = load_error("load_offices", path)
    assert "office 350102 sits under 350100 in the portal; this loader does not move" in message


def test_dry_run_checks_without_loading(db, tmp_path):
    path = write_csv(tmp_path / "offices.csv", OFFICE_HEADER, TREE)

    out, _ = load("load_offices", path, "--dry-run")

    assert "would load" in out and "4 created" in out
    assert not Office.objects.exists()


def test_unknown_and_missing_columns_stop_at_the_header(db, tmp_path):
    path = write_csv(tmp_path / "offices.csv", ["code", "nam_zh", "level"], [["000000", "x", 1]])

    message = load_error("load_offices", path)

    assert f"{path} line 1: column nam_zh: unknown column" in message
    assert f"{path} line 1: column name_zh: missing from the header" in message


def test_other_file_types_are_refused(db, tmp_path):
    path = tmp_path / "offices.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")

    assert "expected a .csv or .xlsx file" in load_error("load_offices", path)


# -- institutions and branches ---------------------------------------------------------------


def test_legal_entities_and_branches_load_from_one_file(fujian, tmp_path):
    existing = f.InstitutionFactory(office=fujian["province"])
    bank = code(1, "350100")
    rows = [
        # A branch before its legal entity, and a branch of an institution already loaded.
        [code(2), "福州银行鼓楼支行", "Bank of Fuzhou, Gulou", "", "350102", "", "", bank],
        [bank, "福州银行股份有限公司", "Bank of Fuzhou", "city_commercial", "350100", "", "", ""],
        [code(3), "测试银行鼓楼支行", "", "", "350102", "", "", existing.credit_code],
    ]
    path = write_csv(tmp_path / "institutions.csv", INSTITUTION_HEADER, rows)

    out, _ = load("load_institutions", path)

    assert "institutions: 1 created, 0 updated, 0 unchanged" in out
    assert "branches: 2 created, 0 updated, 0 unchanged" in out
    fuzhou = Institution.objects.get(credit_code=bank)
    assert fuzhou.kind == InstitutionKind.CITY_COMMERCIAL
    assert fuzhou.office == fujian["city"]
    assert Branch.objects.get(credit_code=code(2)).institution == fuzhou
    assert Branch.objects.get(credit_code=code(3)).institution == existing


def test_every_bad_institution_row_is_reported_and_nothing_is_loaded(fujian, tmp_path):
    good = code(10, "350100")
    wrong_check = code(11)[:-1] + ("0" if code(11)[-1] != "0" else "1")
    rows = [
        [good, "好银行", "", "city_commercial", "350100", "", "", ""],  # line 2, good
        [wrong_check.lower(), "坏银行", "", "village", "350102", "", "", ""],  # line 3
        [code(12), "无类型银行", "", "", "350102", "", "", ""],  # line 4
        [code(13), "怪银行", "", "bank", "350102", "", "", ""],  # line 5
        [code(14), "远方银行", "", "village", "999999", "", "", ""],  # line 6
        [code(15), "孤儿支行", "", "", "350102", "", "", code(99)],  # line 7
        [good, "重复银行", "", "village", "350102", "", "", ""],  # line 8
        [code(16), "支行的支行", "", "", "350102", "", "", code(17)],  # line 9
        [code(17), "好银行支行", "", "", "350102", "", "", good],  # line 10, good
        [code(18), "行号银行", "", "village", "350102", "", "12345", ""],  # line 11
        [code(19), "类型不符支行", "", "village", "350102", "", "", good],  # line 12
    ]
    path = write_csv(tmp_path / "institutions.csv", INSTITUTION_HEADER, rows)

    message = load_error("load_institutions", path)

    expected_check = code(11)[-1]
    expected = [
        f"{path} line 3: column credit_code: check character is {wrong_check[-1]}, expected "
        f"{expected_check} (after normalising {wrong_check.lower()!r} to {wrong_check})",
        f"{path} line 4: column kind: required for a legal entity",
        f"{path} line 5: column kind: 'bank' is not one of: policy, large,",
        f"{path} line 6: column office_code: no office 999999 in the portal",
        f"{path} line 7: column parent_credit_code: no legal entity {code(99)}",
        f"{path} line 8: column credit_code: {good} already appears on line 2",
        f"{path} line 9: column parent_credit_code: {code(17)} is a branch (line 10)",
        f"{path} line 11: column bank_code: a payment-system bank code is 12 digits",
        f"{path} line 12: column kind: village differs from its legal entity's kind",
    ]
    for line in expected:
        assert line in message
    assert "line 2:" not in message and "line 10:" not in message
    assert "9 of 11 rows" in message
    assert not Institution.objects.exists() and not Branch.objects.exists()


def test_pasted_credit_codes_are_normalised_and_said_so(fujian, tmp_path):
    clean = code(20)
    pasted = " " + clean.lower()[:9] + " " + clean.lower()[9:]
    rows = [[pasted, "村镇银行", "", "village", "350102", "", "", ""]]
    path = write_csv(tmp_path / "institutions.csv", INSTITUTION_HEADER, rows)

    _, err = load("load_institutions", path)

    assert Institution.objects.get().credit_code == clean
    assert "codes on 1 rows were normalised" in err and "lines 2" in err


def test_odd_licence_code_only_warns(fujian, tmp_path):
    rows = [[code(21), "村镇银行", "", "village", "350102", "XK-12", "", ""]]
    path = write_csv(tmp_path / "institutions.csv", INSTITUTION_HEADER, rows)

    out, err = load("load_institutions", path)

    assert f"{path} line 2: column licence_code: XK-12 does not look like a licence code" in err
    assert "institutions: 1 created" in out
    assert Institution.objects.get().licence_code == "XK-12"


def test_loading_the_same_institutions_twice_changes_nothing(fujian, tmp_path):
    bank = code(30, "350100")
    rows = [
        [bank, "福州银行", "", "city_commercial", "350100", "B0001H135010001", "313391000011", ""],
        [code(31), "福州银行鼓楼支行", "", "", "350102", "", "", bank],
    ]
    path = write_csv(tmp_path / "institutions.csv", INSTITUTION_HEADER, rows)
    load("load_institutions", path)
    before = (list(Institution.objects.values()), list(Branch.objects.values()))

    out, _ = load("load_institutions", path)

    assert "institutions: 0 created, 0 updated, 1 unchanged" in out
    assert "branches: 0 created, 0 updated, 1 unchanged" in out
    assert (list(Institution.objects.values()), list(Branch.objects.values())) == before


def test_institutions_from_xlsx(fujian, tmp_path):
    bank = code(40, "350100")
    rows = [
        [bank, "福州银行", "Bank of Fuzhou", "city_commercial", 350100, None, 313391000011, None],
        [code(41), "福州银行鼓楼支行", None, None, 350102, None, None, bank],
    ]
    path = write_xlsx(tmp_path / "institutions.xlsx", INSTITUTION_HEADER, rows)

    load("load_institutions", path)

    assert Institution.objects.get(credit_code=bank).bank_code == "313391000011"
    assert Branch.objects.get(credit_code=code(41)).office == fujian["county"]
