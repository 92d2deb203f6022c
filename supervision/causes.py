"""Causes for escalation: the one contract between the parts that find problems and escalation.

Screening, evaluation, complaints and returns each know when an institution is falling short;
escalation decides what happens next. They meet here and nowhere else: a part registers a
*provider* that lists its current causes, and may send ``cause_found`` on commit so that a case
is raised at once rather than at the next sweep. Escalation never reads another part's tables.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.dispatch import Signal


@dataclass(frozen=True)
class Cause:
    """One reason to act on one institution, with the evidence a regulator can open.

    ``key`` names the evidence for good ("evaluation-result:17", "complaint:88:overdue"): the
    same key never raises a second case. ``measure`` is what escalation rules compare with
    their threshold (a grade number, a count of complaints, days overdue), raising a case when
    ``measure >= threshold``.
    """

    kind: str
    key: str
    institution_id: int
    office_id: int
    measure: Decimal
    summary: str
    evidence_url: str
    occurred_on: date
    branch_id: int | None = None
    details: dict = field(default_factory=dict)


Provider = Callable[[datetime], Iterable[Cause]]

_PROVIDERS: dict[str, Provider] = {}

# Sent on commit by the part that found causes; kwargs: causes (a list of Cause).
cause_found = Signal()


def provider(kind: str) -> Callable[[Provider], Provider]:
    """Register the function that lists every current cause of ``kind`` as of a moment."""

    def register(function: Provider) -> Provider:
        _PROVIDERS[kind] = function
        return function

    return register


def kinds() -> list[str]:
    return sorted(_PROVIDERS)


def current(kind: str, as_of: datetime) -> list[Cause]:
    """The causes of ``kind`` that hold at ``as_of``."""
    return list(_PROVIDERS[kind](as_of))
