"""The notices' indicators as arithmetic on summed SME-LOANS columns: each figure, what it is
compared with (all loans, the start of the year, the previous year-end, the LPR, the NPL
tolerance) and whether it is on target. Pure functions: no database."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portal.models import InstitutionKind

RATE_WEIGHT = "rate_weight"  # the sum of rate x amount issued, for the weighted average rate
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


def growth(now: Decimal | None, start: Decimal | None) -> Decimal | None:
    if now is None or not start:
        return None
    return ((now - start) * HUNDRED / start).quantize(CENT)


def weighted_rate(sums: Sums) -> Decimal | None:
    """The average rate of the loans issued this year, weighted by the amounts issued."""
    weight, issued = sums.get(RATE_WEIGHT), sums.get("issued_ytd")
    if weight is None or not issued:
        return None
    return (weight / issued).quantize(CENT)


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

    @property
    def unit_label(self) -> Promise | str:
        return UNIT_LABELS.get(self.unit, self.unit)


def _at_least(value, reference) -> bool | None:
    if value is None or reference is None:
        return None
    return value >= reference


def _at_most(value, reference) -> bool | None:
    if value is None or reference is None:
        return None
    return value <= reference


def _year_end(basis: Basis, compute: Callable[[Sums], Decimal | None]) -> Decimal | None:
    return compute(basis.year_end) if basis.year_end else None


def _get(key: str) -> Callable[[Sums], Decimal | None]:
    return lambda sums: sums.get(key)


def _share(key: str) -> Callable[[Sums], Decimal | None]:
    return lambda sums: percent(sums.get(key), sums.get("sme_balance"))


@dataclass(frozen=True)
class Definition:
    key: str
    label: Promise
    unit: str
    target: Promise | str
    evaluate: Callable[[Sums, Basis], tuple[Decimal | None, Decimal | None, bool | None]]
    reference_label: Promise | str = ""
    # Institution kinds the target binds (all when empty); the figure is shown for everyone.
    binds: frozenset[str] = frozenset()

    def binds_kind(self, kind: str | None) -> bool:
        return kind is None or not self.binds or kind in self.binds


def _balance(sums: Sums, basis: Basis):
    return sums.get("sme_balance"), sums.get("sme_balance_start"), None


def _loan_growth(sums: Sums, basis: Basis):
    sme = growth(sums.get("sme_balance"), sums.get("sme_balance_start"))
    everything = growth(sums.get("all_balance"), sums.get("all_balance_start"))
    return sme, everything, _at_least(sme, everything)


def _borrowers(sums: Sums, basis: Basis):
    now, start = sums.get("borrowers"), sums.get("borrowers_start")
    return now, start, _at_least(now, start)


def _first_time(sums: Sums, basis: Basis):
    now = sums.get("first_time")
    before = basis.last_year.get("first_time") if basis.last_year else None
    return now, before, _at_least(now, before)


def _not_below_year_end(compute: Callable[[Sums], Decimal | None]):
    def evaluate(sums: Sums, basis: Basis):
        now, before = compute(sums), _year_end(basis, compute)
        return now, before, _at_least(now, before)

    return evaluate


def _shown_against_year_end(compute: Callable[[Sums], Decimal | None]):
    def evaluate(sums: Sums, basis: Basis):
        return compute(sums), _year_end(basis, compute), None

    return evaluate


def _rate(sums: Sums, basis: Basis):
    now, before = weighted_rate(sums), _year_end(basis, weighted_rate)
    return now, before, _at_most(now, before)


def _rate_spread(sums: Sums, basis: Basis):
    now = weighted_rate(sums)
    if now is None or basis.lpr is None:
        return None, basis.lpr, None
    return now - basis.lpr, basis.lpr, None


def npl_ratio(sums: Sums) -> Decimal | None:
    return percent(sums.get("sme_npl"), sums.get("sme_balance"))


def _npl(sums: Sums, basis: Basis):
    ratio = npl_ratio(sums)
    overall = percent(sums.get("all_npl"), sums.get("all_balance"))
    limit = None if overall is None else overall + basis.npl_tolerance
    return ratio, limit, _at_most(ratio, limit)


YEAR_END = _("previous year-end")
NOT_BELOW_YEAR_END = _("not below the previous year-end")
KEY_AREAS = (
    ("individual_balance", _("Individual businesses")),
    ("foreign_trade_balance", _("Foreign trade")),
    ("technology_balance", _("Technology firms")),
    ("manufacturing_long_term", _("Manufacturing medium/long-term")),
    ("consumption_balance", _("Consumer services")),
)

DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "sme_balance",
        _("Inclusive SME loan balance"),
        "万元",
        "",
        _balance,
        _("start of year"),
    ),
    Definition(
        "loan_growth",
        _("SME loan growth since the start of the year"),
        "%",
        _("not lower than all loans' growth"),
        _loan_growth,
        _("all loans' growth"),
    ),
    Definition(
        "borrowers",
        _("SME borrowers with a balance"),
        "户",
        _("not fewer than at the start of the year"),
        _borrowers,
        _("start of year"),
    ),
    Definition(
        "first_time",
        _("First-time borrowers this year"),
        "户",
        _("more than last year (large and joint-stock banks)"),
        _first_time,
        _("same quarter last year"),
        binds=frozenset({InstitutionKind.LARGE, InstitutionKind.JOINT_STOCK}),
    ),
    Definition(
        "credit_share",
        _("Credit (unsecured) loan share"),
        "%",
        NOT_BELOW_YEAR_END,
        _not_below_year_end(_share("credit_balance")),
        YEAR_END,
    ),
    Definition(
        "long_term_share",
        _("Medium/long-term loan share"),
        "%",
        NOT_BELOW_YEAR_END,
        _not_below_year_end(_share("long_term_balance")),
        YEAR_END,
    ),
    Definition(
        "renewal_balance",
        _("Renewal without repayment of principal"),
        "万元",
        "",
        _shown_against_year_end(_get("renewal_balance")),
        YEAR_END,
    ),
    Definition(
        "new_loan_rate",
        _("Average rate of loans issued this year"),
        "%",
        _("stable or falling: not above the previous year-end"),
        _rate,
        YEAR_END,
    ),
    Definition(
        "rate_spread",
        _("Spread over the one-year LPR"),
        "pt",
        "",
        _rate_spread,
        _("one-year LPR"),
    ),
    Definition(
        "npl_ratio",
        _("Inclusive SME NPL ratio"),
        "%",
        _("within all loans' NPL ratio plus the tolerance"),
        _npl,
        _("all loans' NPL ratio plus the tolerance"),
    ),
    *(
        Definition(
            key,
            label,
            "万元",
            NOT_BELOW_YEAR_END,
            _not_below_year_end(_get(key)),
            YEAR_END,
        )
        for key, label in KEY_AREAS
    ),
)
TARGETED_DEFINITIONS = tuple(d for d in DEFINITIONS if d.target)
TARGETED = tuple(d.key for d in TARGETED_DEFINITIONS)


def indicators(sums: Sums, basis: Basis, kind: str | None = None) -> list[Indicator]:
    """Every figure of ``sums`` with its comparison; ``kind`` (an institution's) leaves out
    the targets that do not bind it."""
    result = []
    for d in DEFINITIONS:
        value, reference, on_target = d.evaluate(sums, basis)
        if not d.binds_kind(kind):
            on_target = None
        result.append(
            Indicator(
                d.key, d.label, d.unit, value, reference, d.reference_label, d.target, on_target
            )
        )
    return result


def missed_targets(sums: Sums, basis: Basis, kind: str | None = None) -> list[str]:
    """The keys of the targets ``sums`` miss: those of ``indicators(sums, basis, kind)`` off
    target, without building every figure."""
    return [
        d.key
        for d in TARGETED_DEFINITIONS
        if d.binds_kind(kind) and d.evaluate(sums, basis)[2] is False
    ]
