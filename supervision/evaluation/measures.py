"""The parts of an evaluation scheme's indicators and rules, as read from its file by
``supervision.evaluation.scheme``: a measure (value and target formulas, direction, partial
credit, penalties, other ways to meet the target, the order of its steps), a tolerance and
the consequences of a grade."""

from dataclasses import dataclass
from decimal import Decimal

from supervision.formulas import Formula
from supervision.indicators import Text


@dataclass(frozen=True)
class Tolerance:
    """A threshold the scheme sets for the year (the NPL tolerance...), read by formulas by
    its name, with where it comes from."""

    name: str
    value: Decimal
    label: Text
    source: Text
    unit: str = ""


@dataclass(frozen=True)
class Partial:
    """Credit below the target: "proportional" (value / target of the points), "linear" (from
    nothing at ``zero_at``, a formula, to full at the target) or "none"; only when ``when``
    holds."""

    kind: str = "none"
    zero_at: Formula[Decimal] | None = None
    when: Formula[bool] | None = None
    when_text: Text | None = None
    source: Text | None = None  # where the partial credit's thresholds come from


@dataclass(frozen=True)
class Penalty:
    """Points that replace the computed ones when ``when`` holds (e.g. -4 for a fall two years
    running); checked in order, the first that holds wins."""

    when: Formula[bool]
    points: Decimal
    reason: Text


@dataclass(frozen=True)
class AlsoMet:
    """Another way to full points (a target the office set for the bank), when ``when``
    holds; a name it reads that is blank (no target set) makes it not apply."""

    when: Formula[bool]
    text: Text


# The steps of scoring a measure, checked in a measure's ``order``; the first that gives
# points wins. "met": the target (or an AlsoMet) is met; "partial": partial credit, if its
# condition holds; "penalties": the first penalty that holds. Nothing left: no points.
STEPS = ("met", "partial", "penalties")
DEFAULT_ORDER = ("penalties", "met", "partial")


@dataclass(frozen=True)
class Measure:
    value: Formula[Decimal]
    target: Formula[Decimal]
    direction: str  # "at_least": higher is better; "at_most": lower is better
    partial: Partial = Partial()
    penalties: tuple[Penalty, ...] = ()
    unit: str = ""
    definition: str = ""  # the shared definition (supervision.indicators) it reads, if any
    source: Text | None = None  # where the target comes from
    also_met: tuple[AlsoMet, ...] = ()
    order: tuple[str, ...] = DEFAULT_ORDER

    @property
    def names(self) -> frozenset[str]:
        zero_at = self.partial.zero_at.names if self.partial.zero_at else frozenset()
        return self.value.names | self.target.names | zero_at

    @property
    def conditions(self) -> frozenset[str]:
        """The names its conditions read (partial credit, penalties, other ways to meet)."""
        names: set[str] = set()
        if self.partial.when:
            names |= self.partial.when.names
        for formula in [p.when for p in self.penalties] + [a.when for a in self.also_met]:
            names |= formula.names
        return frozenset(names)


@dataclass(frozen=True)
class Part:
    """One part of an indicator scored part by part (the 2025 scheme's B2, a part per key
    area): its own measure and points, the indicator's points being the parts' sum. Parts are
    judged each on its own, so figures that overlap (a private technology firm is in two key
    areas) are never added up."""

    key: str
    name: Text
    points: Decimal
    measure: Measure


@dataclass(frozen=True)
class Consequence:
    """What follows a grade: the measures (``consequences.MEASURES``' keys) and the days the
    institution has to meet the improvement requirements (None: no deadline)."""

    measures: tuple[str, ...] = ()
    deadline_days: int | None = None
