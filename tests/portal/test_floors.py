"""The benchmarks' shared floor lines: our time, the floor's, the ratio and the load."""

import re

import pytest
from django.db import connection

from portal import floors
from portal.models import Office
from tests import factories as f


def test_a_line_gives_both_times_the_ratio_and_the_machines_load():
    line = floors.line("sweep 10 cases", 3.0, floors.Floor("one UPDATE of the due cases", 1.5))

    assert line.startswith("sweep 10 cases: 3.000 s; floor 1.500 s (one UPDATE of the due cases);")
    assert "ours/floor 2.0;" in line
    assert re.search(r"load average \d+\.\d\d \d+\.\d\d \d+\.\d\d on \d+ cores$", line)


def test_a_floor_too_quick_to_measure_gives_no_ratio():
    assert "ours/floor -;" in floors.line("x", 1.0, floors.Floor("nothing", 0.0))


@pytest.mark.django_db
def test_a_scratch_table_is_gone_afterwards():
    with floors.scratch_table("floor_scratch", "a text") as table, connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} VALUES ('x')")
        cursor.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone() == (1,)

    assert "floor_scratch" not in connection.introspection.table_names()


@pytest.mark.django_db
def test_an_undone_floor_leaves_the_rows_as_they_were():
    office = f.office("000000", "总局")

    with floors.undone():
        Office.objects.filter(pk=office.pk).update(name_zh="改")

    office.refresh_from_db()
    assert office.name_zh == "总局"
