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
    ``measure >= threshold``. ``requires_talk``: the case may close only once a supervisory
    talk with the institution's principal officer is recorded on it (a grade 4, as the
    evaluation's scheme says).
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
    requires_talk: bool = False


Provider = Callable[[datetime], Iterable[Cause]]

_PROVIDERS: dict[str, Provider] = {}

# Sent on commit by the part that found causes; kwargs: causes (a list of Cause).
cause_found = Signal()

# Sent on commit by escalation when a supervisory talk is recorded on a case, so that the part
# that found its causes can tell the institution; kwargs: keys (the case's cause keys), case_id,
# held_on (a date) and principal_officer (the name of the institution's officer who attended).
talk_recorded = Signal()


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
