"""Quarters are written one way, ``2025Q3``, whichever helper makes them."""

from datetime import date

import pytest

from reporting import periods


@pytest.mark.parametrize(
    ("day", "label"),
    [(date(2025, 1, 1), "2025Q1"), (date(2025, 8, 14), "2025Q3"), (date(2025, 12, 31), "2025Q4")],
)
def test_the_quarter_of_a_day(day, label):
    assert periods.quarter_of(day) == label
    assert periods.quarter_start(label) <= day <= periods.quarter_end(label)


def test_quarters_before_a_quarter():
    assert periods.previous_quarter("2025Q1") == "2024Q4"
    assert periods.previous_quarter("2025Q3") == "2025Q2"
    assert periods.year_before("2025Q3") == "2024Q3"
    assert periods.previous_year_end("2025Q3") == "2024Q4"


def test_a_quarter_runs_from_its_first_to_its_last_day():
    assert (periods.quarter_start("2025Q4"), periods.quarter_end("2025Q4")) == (
        date(2025, 10, 1),
        date(2025, 12, 31),
    )
