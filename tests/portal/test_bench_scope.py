"""bench_scope: the timing lines a benchmark run prints, with the right row counts."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from portal.models import User
from tests import factories as f


def bench(*args: str) -> str:
    out = StringIO()
    call_command("bench_scope", "--runs", "2", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def two_provinces(db):
    gb = f.office("000000", "总局")
    fujian = f.office("350000", "福建监管局", gb)
    guangdong = f.office("440000", "广东监管局", gb)
    county = f.office("350102", "鼓楼监管支局", f.office("350100", "福州监管分局", fujian))
    f.InstitutionFactory(office=fujian)
    guangdong_bank = f.InstitutionFactory(office=guangdong)
    f.BranchFactory(institution=guangdong_bank, office=county)  # seen from Fujian too
    f.InstitutionFactory(office=guangdong)
    f.InstitutionFactory(office=gb)


def test_prints_row_counts_and_median_timings(two_provinces):
    out = bench()

    lines = out.splitlines()
    province = r"institutions under one province \(350000\): 2 rows, median \d+\.\d ms"
    top = r"institutions under the General Bureau \(000000\): 4 rows, median \d+\.\d ms"
    assert any(re.fullmatch(province, line) for line in lines)
    assert any(re.fullmatch(top, line) for line in lines)
    assert "query plan for the province" in out


def test_another_province_can_be_chosen(two_provinces):
    out = bench("--province", "440000", "--no-explain")

    assert "institutions under one province (440000): 2 rows" in out
    assert "query plan" not in out


def test_bench_users_are_reused_and_cannot_sign_in(two_provinces):
    bench()
    bench()

    users = User.objects.filter(email__endswith="@bench.invalid")
    assert users.count() == 2
    assert not any(u.is_active or u.has_usable_password() for u in users)


def test_without_offices_it_says_to_seed_first(db):
    with pytest.raises(CommandError, match="seed_national"):
        bench()
