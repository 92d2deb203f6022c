"""The complaint clock: when an answer is due, in calendar or working days.

Working days are Monday to Friday, less the holidays, plus the weekend days the State Council
makes working days (调休); both lists are settings an administrator changes each year.
"""

from datetime import date, datetime, timedelta
from functools import cache

from django.conf import settings
from django.utils import timezone

from supervision.complaints.models import Complexity


@cache
def _dates(values: tuple[str, ...]) -> frozenset[date]:
    return frozenset(date.fromisoformat(v) for v in values)


def calendar_errors() -> list[str]:
    """The holiday and make-up day settings that are not ISO dates (a system check)."""
    return [
        f"{name}: {value!r} is not a date like 2026-10-01"
        for name in ("PORTAL_COMPLAINT_HOLIDAYS", "PORTAL_COMPLAINT_EXTRA_WORKDAYS")
        for value in getattr(settings, name)
        if not _is_date(value)
    ]


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_working_day(day: date) -> bool:
    if day in _dates(tuple(settings.PORTAL_COMPLAINT_EXTRA_WORKDAYS)):
        return True
    return day.weekday() < 5 and day not in _dates(tuple(settings.PORTAL_COMPLAINT_HOLIDAYS))


def add_days(start: date, days: int) -> date:
    """The day ``days`` days after ``start``, counted as the settings say."""
    if not settings.PORTAL_COMPLAINT_WORKING_DAYS:
        return start + timedelta(days=days)
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def days_for(complexity: str) -> int:
    if complexity == Complexity.COMPLEX:
        return settings.PORTAL_COMPLAINT_COMPLEX_DAYS
    return settings.PORTAL_COMPLAINT_SIMPLE_DAYS


def local_day(moment: datetime | None = None) -> date:
    """The date in the portal's time zone (Beijing): deadlines end at local midnight."""
    return timezone.localdate(moment or timezone.now())


def due_date(filed_on: date, complexity: str, extended: bool = False) -> date:
    """The clock starts the day the complaint reaches the institution, which the portal does
    at once; an extension adds its days to the original limit."""
    due = add_days(filed_on, days_for(complexity))
    if extended:
        due = add_days(due, settings.PORTAL_COMPLAINT_EXTENSION_DAYS)
    return due


def days_late(due_on: date, on: date) -> int:
    """Calendar days past the deadline (0 when on time)."""
    return max((on - due_on).days, 0)
