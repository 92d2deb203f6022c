"""The notices' indicators on summed SME-LOANS columns: each figure, what it is compared with
(all loans, the start of the year, the previous year-end, the LPR, the NPL tolerance) and
whether it is on target. The definitions are ``supervision.indicators``', the ones the
evaluation schemes read too; this module gives them a dashboard's sums. Pure functions: no
database."""

from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from supervision import indicators as shared

RATE_WEIGHT = "rate_weight"  # the sum of rate x amount issued, for the weighted average rate
COST_WEIGHT = "cost_weight"  # the sum of total financing cost x amount issued
COST_ISSUED = "cost_issued"  # the amount issued by the rows that report the cost
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

Sums = dict[str, Decimal | None]
UNIT_LABELS = {"万元": _("10,000 CNY"), "户": _("borrowers"), "pt": _("points")}


def add(into: Sums, other: Sums) -> Sums:
    """Add ``other``'s sums into ``into``; a blank stays blank only if both are blank."""
    for key, value in other.items():
        if value is not None:
            into[key] = (into.get(key) or Decimal(0)) + value
        else:
            into.setdefault(key, None)
    return into


def total(groups: Iterable[Sums]) -> Sums:
    result: Sums = {}
    for sums in groups:
        add(result, sums)
    return result


def percent(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return (part * HUNDRED / whole).quantize(CENT)


class Basis(NamedTuple):
    """What one set of sums is compared with: the previous year-end, the same quarter last
    year, the LPR in force and the NPL tolerance."""

    year_end: Sums | None
    last_year: Sums | None
    lpr: Decimal | None
    npl_tolerance: Decimal


class Indicator(NamedTuple):
    key: str
    label: Promise
    unit: str
    value: Decimal | None
    reference: Decimal | None
    reference_label: Promise | str
    target: Promise | str
    on_target: bool | None  # None: no target applies, or nothing to compare with
    source: shared.Text | None = None

    @property
    def unit_label(self) -> Promise | str:
        return UNIT_LABELS.get(self.unit, self.unit)

    @property
    def reported(self) -> bool:
        """False when no return summed carried the figure (versions without its column)."""
        return self.value is not None


def _weighted(weight: Decimal | None, issued: Decimal | None) -> Decimal | None:
    return None if weight is None or not issued else weight / issued


def _named(sums: Sums, prefix: str = "") -> dict[str, Decimal | None]:
    """The sums under the names the shared definitions read, with the weighted averages: the
    rate and the total financing cost of the loans issued this year, weighted by the amounts
    issued (a row without the cost carries no weight)."""
    named: dict[str, Decimal | None] = {f"{prefix}{key}": value for key, value in sums.items()}
    issued = sums.get("issued_ytd")
    named[f"{prefix}issued_rate"] = _weighted(sums.get(RATE_WEIGHT), issued)
    named[f"{prefix}financing_cost"] = _weighted(sums.get(COST_WEIGHT), sums.get(COST_ISSUED))
    return named


def values(sums: Sums, basis: Basis) -> dict[str, Decimal | None]:
    """Everything a definition may read, by the names of ``supervision.indicators``."""
    named = _named(sums)
    if basis.year_end:
        named |= _named(basis.year_end, "year_end_")
    if basis.last_year:
        named |= _named(basis.last_year, "prior_")
    named["lpr"], named["npl_tolerance"] = basis.lpr, basis.npl_tolerance
    return named


def _shown(definition: shared.Definition, figure: Decimal | None) -> Decimal | None:
    # Percentages and points are shown to the cent; amounts and counts as summed.
    if figure is None or definition.unit not in ("%", "pt"):
        return figure
    return figure.quantize(CENT)


# The weighted averages the named values work out, by the sums they are worked out from.
WEIGHTED = {
    "issued_rate": (RATE_WEIGHT, "issued_ytd"),
    "financing_cost": (COST_WEIGHT, COST_ISSUED),
}
# Not summed: the basis's rate and tolerance, and the weak-region balance (``weak_regions``).
_GIVEN = frozenset({"lpr", "npl_tolerance", "weak_sme_balance"})


def columns_read(definitions: Iterable[shared.Definition]) -> tuple[str, ...]:
    """The summed columns ``definitions`` read, of the quarter or of what it is compared with:
    what sums must hold for ``indicators`` to work them out."""
    found: dict[str, None] = {}
    for d in definitions:
        for name in sorted(d.names):
            column = name.removeprefix("year_end_").removeprefix("prior_")
            if column not in _GIVEN:
                found.update(dict.fromkeys(WEIGHTED.get(column, (column,))))
    return tuple(found)


DEFINITIONS = shared.DEFINITIONS
TARGETED_DEFINITIONS = tuple(d for d in DEFINITIONS if d.direction)
TARGETED = tuple(d.key for d in TARGETED_DEFINITIONS)


def indicators(
    sums: Sums,
    basis: Basis,
    kind: str | None = None,
    definitions: tuple[shared.Definition, ...] = DEFINITIONS,
) -> list[Indicator]:
    """Each of ``definitions`` (the headline's unless given) on ``sums`` with its comparison;
    ``kind`` (an institution's) leaves out the targets that do not bind it."""
    named = values(sums, basis)
    result = []
    for d in definitions:
        value, reference, on_target = d.measure(named)
        if not d.binds_kind(kind):
            on_target = None
        result.append(
            Indicator(
                d.key,
                d.label,
                d.unit,
                _shown(d, value),
                _shown(d, reference),
                d.reference_label,
                d.target,
                on_target,
                d.source,
            )
        )
    return result


def missed_targets(sums: Sums, basis: Basis, kind: str | None = None) -> list[str]:
    """The keys of the targets ``sums`` miss: those of ``indicators(sums, basis, kind)`` off
    target, without building every figure."""
    named = values(sums, basis)
    return [
        d.key for d in TARGETED_DEFINITIONS if d.binds_kind(kind) and d.measure(named)[2] is False
    ]
