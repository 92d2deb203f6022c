"""bench_dashboard: it adds the returns it needs once, then prints a timing line per level."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from reporting.models import Filing
from tests import factories as f

pytestmark = pytest.mark.django_db


def bench() -> str:
    out = StringIO()
    call_command(
        "bench_dashboard", "--quarters", "2", "--period", "2025Q3", "--runs", "1", stdout=out
    )
    return out.getvalue()


def test_prints_the_time_and_queries_of_each_levels_dashboard():
    gb = f.office("000000", "总局")
    province = f.office("350000", "福建监管局", gb)
    county = f.office("350102", "鼓楼监管支局", f.office("350100", "福州监管分局", province))
    bank = f.InstitutionFactory(office=province)
    f.BranchFactory(institution=bank, office=county)
    f.InstitutionFactory(office=county)
    f.InstitutionFactory(office=gb, kind="insurer")  # files insurance, not lending

    out = bench()
    assert "returns: 6 added" in out  # two banks and an insurer, two quarters
    # Three lending places a quarter (the head offices and a branch), eight product lines.
    assert "22 stored rows" in out
    assert Filing.objects.filter(period="2025Q2").count() == 3
    for label, code in (("General Bureau", "000000"), ("province", "350000")):
        line = (
            rf"{label} \({code}\) dashboard, median, \d+ SQL queries "
            r"\(web process CPU \d+\.\d{3} s, database \d+\.\d{3} s\): \d+\.\d{3} s; "
            r"floor \d+\.\d{3} s \(one aggregate over a per-period summary\); "
            r"ours/floor [\d.-]+; load average [\d. ]+ on \d+ cores"
        )
        assert any(re.fullmatch(line, text) for text in out.splitlines()), out
    assert "county office (350102)" in out
    insurance = (
        r"General Bureau \(000000\) insurance view, median, \d+ SQL queries "
        r"\(web process CPU \d+\.\d{3} s, database \d+\.\d{3} s\): \d+\.\d{3} s; "
        r"floor \d+\.\d{3} s \(one aggregate over a per-period summary\); "
        r"ours/floor [\d.-]+; load average [\d. ]+ on \d+ cores"
    )
    assert any(re.fullmatch(insurance, text) for text in out.splitlines()), out
    assert "returns: 0 added" in bench()
