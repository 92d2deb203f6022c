"""Reporting periods as labels: ``2025Q3`` for a quarter, ``2025`` for a year. A quarter's
label is written by ``quarter_label`` and nowhere else."""

import re
from datetime import date

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def quarter_label(year: int, quarter: int) -> str:
    """``2025Q3`` for the third quarter of 2025."""
    return f"{year}Q{quarter}"


def quarter_of(day: date) -> str:
    """The quarter ``day`` falls in: ``2025Q3`` for 2025-08-14."""
    return quarter_label(day.year, (day.month - 1) // 3 + 1)


def previous_quarter(period: str) -> str:
    year, quarter = parse_quarter(period)
    return quarter_label(year - 1, 4) if quarter == 1 else quarter_label(year, quarter - 1)


def year_before(period: str) -> str:
    """The same quarter a year earlier."""
    year, quarter = parse_quarter(period)
    return quarter_label(year - 1, quarter)


def parse_quarter(period: str) -> tuple[int, int]:
    match = _QUARTER.match(period)
    if not match:
        raise ValueError(f"not a quarter: {period!r}")
    return int(match[1]), int(match[2])


def is_quarter(period: str) -> bool:
    return bool(_QUARTER.match(period))


def quarter_start(period: str) -> date:
    year, quarter = parse_quarter(period)
    return date(year, quarter * 3 - 2, 1)


def quarter_end(period: str) -> date:
    year, quarter = parse_quarter(period)
    month = quarter * 3
    return date(year, month, 31 if month in (3, 12) else 30)


def previous_year_end(period: str) -> str:
    """The Q4 whose year-end figures are this period's start-of-year figures."""
    return quarter_label(parse_quarter(period)[0] - 1, 4)
