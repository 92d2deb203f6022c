"""Reporting periods as labels: ``2025Q3`` for a quarter, ``2025`` for a year."""

import re
from datetime import date

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def previous_quarter(period: str) -> str:
    year, quarter = parse_quarter(period)
    return f"{year - 1}Q4" if quarter == 1 else f"{year}Q{quarter - 1}"


def parse_quarter(period: str) -> tuple[int, int]:
    match = _QUARTER.match(period)
    if not match:
        raise ValueError(f"not a quarter: {period!r}")
    return int(match[1]), int(match[2])


def is_quarter(period: str) -> bool:
    return bool(_QUARTER.match(period))


def quarter_end(period: str) -> date:
    year, quarter = parse_quarter(period)
    month = quarter * 3
    return date(year, month, 31 if month in (3, 12) else 30)


def previous_year_end(period: str) -> str:
    """The Q4 whose year-end figures are this period's start-of-year figures."""
    return f"{parse_quarter(period)[0] - 1}Q4"
