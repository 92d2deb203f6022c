"""The indicators of what the notices measure beyond the headline lending figures: the key
areas of 2023 and 2025, green and agriculture-related loans, individual businesses'
borrowers, credit over 10 million per borrower, the total cost of financing and fees, NPL
write-offs and the SME share of all loans.

Each is defined once, with the same shape as the headline indicators
(``supervision.dashboards.indicators``): its formula over summed SME-LOANS columns, what it
is compared with, whether it should keep rising or meet a target, and the notice's article
that asks for it. A figure no return of the subtree reported (every return was of a version
without its column) is None, which the pages and the workbook show as "not reported under
this version", never as zero.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Case, DecimalField, F, Sum, When
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reporting.specs import ALL
from supervision.dashboards.indicators import CENT, UNIT_LABELS, Basis, Sums, percent

# The rate columns of any SME-LOANS version: averaged with a weight, never summed.
RATES = frozenset(
    c.key for s in ALL if s.code == "SME-LOANS" for c in s.columns if c.type == "rate"
)
COST_WEIGHT = "cost_weight"  # the sum of total financing cost x amount issued
COST_ISSUED = "cost_issued"  # the amount issued by the rows that report the cost


def weighted_aggregates() -> dict:
    """The sums the weighted average financing cost needs: a row without the cost (a return
    of a version that lacks it) carries no weight."""
    reported = When(financing_cost__isnull=False, then=F("issued_ytd"))
    return {
        COST_WEIGHT: Sum(F("financing_cost") * F("issued_ytd"), output_field=DecimalField()),
        COST_ISSUED: Sum(Case(reported, output_field=DecimalField())),
    }


Formula = Callable[[Sums], Decimal | None]


def _get(key: str) -> Formula:
    return lambda sums: sums.get(key)


def _financing_cost(sums: Sums) -> Decimal | None:
    weight, issued = sums.get(COST_WEIGHT), sums.get(COST_ISSUED)
    if weight is None or not issued:
        return None
    return (weight / issued).quantize(CENT)


def _fees_per_issued(sums: Sums) -> Decimal | None:
    return percent(sums.get("fees_ytd"), sums.get("issued_ytd"))


def _weak_share(sums: Sums) -> Decimal | None:
    return percent(sums.get("weak_sme_balance"), sums.get("sme_balance"))


def _sme_share(sums: Sums) -> Decimal | None:
    return percent(sums.get("sme_balance"), sums.get("all_balance"))


class Base:
    """What a figure is compared with: the sums of the previous year-end or of the same
    quarter a year earlier."""

    YEAR_END = "year_end"
    LAST_YEAR = "last_year"


class Aim:
    """What the notice asks of the figure."""

    RISE = "rise"  # keep rising: not below the comparison
    FALL = "fall"  # keep falling (or stable): not above the comparison
    WATCH = "watch"  # shown against the comparison, no target


@dataclass(frozen=True)
class NoticeDefinition:
    key: str
    label: Promise
    unit: str
    formula: Formula
    base: str
    aim: str
    source: Promise

    def compare(self, sums: Sums, basis: Basis) -> "NoticeIndicator":
        before_sums = basis.year_end if self.base == Base.YEAR_END else basis.last_year
        value = self.formula(sums)
        reference = self.formula(before_sums) if before_sums else None
        on_target = None
        if value is not None and reference is not None and self.aim != Aim.WATCH:
            on_target = value >= reference if self.aim == Aim.RISE else value <= reference
        return NoticeIndicator(self, value, reference, on_target)

    @property
    def unit_label(self) -> Promise | str:
        return UNIT_LABELS.get(self.unit, self.unit)

    @property
    def reference_label(self) -> Promise:
        return BASE_LABELS[self.base]

    @property
    def target(self) -> Promise | str:
        return AIM_LABELS[self.aim]


class NoticeIndicator(NamedTuple):
    definition: NoticeDefinition
    value: Decimal | None  # None: not reported under the versions filed
    reference: Decimal | None
    on_target: bool | None

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def reported(self) -> bool:
        return self.value is not None


BASE_LABELS = {Base.YEAR_END: _("previous year-end"), Base.LAST_YEAR: _("same quarter last year")}
AIM_LABELS: dict[str, Promise | str] = {
    Aim.RISE: _("keep rising: not below the comparison"),
    Aim.FALL: _("stable or falling: not above the comparison"),
    Aim.WATCH: "",
}
MONEY = "万元"


def _balance(key: str, label: Promise, source: Promise) -> NoticeDefinition:
    return NoticeDefinition(key, label, MONEY, _get(key), Base.YEAR_END, Aim.RISE, source)


DEFINITIONS: tuple[NoticeDefinition, ...] = (
    NoticeDefinition(
        "sme_share",
        _("SME share of all loans"),
        "%",
        _sme_share,
        Base.YEAR_END,
        Aim.RISE,
        _("2023 notice, item 12 (local banks with a low share raise it)"),
    ),
    NoticeDefinition(
        "weak_region_share",
        _("Share of SME loans in weak regions"),
        "%",
        _weak_share,
        Base.YEAR_END,
        Aim.RISE,
        _("2023 notice, item 11 (large banks lean toward weak regions)"),
    ),
    _balance("private_balance", _("Private enterprises"), _("2025 notice II(II)")),
    _balance("hard_hit_balance", _("Hard-hit sectors"), _("2023 notice, item 4")),
    _balance(
        "specialised_balance", _("Specialised and innovative (专精特新)"), _("2023 notice, item 5")
    ),
    _balance("green_balance", _("Green loans"), _("2023 notice, item 5; 2022 mechanism (18)")),
    _balance("agri_balance", _("Agriculture-related loans"), _("2022 mechanism (10)")),
    NoticeDefinition(
        "individual_borrowers",
        _("Individual businesses with a loan"),
        "户",
        _get("individual_borrowers"),
        Base.YEAR_END,
        Aim.RISE,
        _("2023 notice, item 6"),
    ),
    NoticeDefinition(
        "large_credit_balance",
        _("Loans to SMEs with credit over 10 million"),
        MONEY,
        _get("large_credit_balance"),
        Base.YEAR_END,
        Aim.WATCH,
        _("2023 notice, item 7"),
    ),
    NoticeDefinition(
        "large_credit_borrowers",
        _("SMEs with credit over 10 million"),
        "户",
        _get("large_credit_borrowers"),
        Base.YEAR_END,
        Aim.WATCH,
        _("2023 notice, item 7"),
    ),
    NoticeDefinition(
        "financing_cost",
        _("Average total financing cost of loans issued this year"),
        "%",
        _financing_cost,
        Base.YEAR_END,
        Aim.FALL,
        _("2023 notice, item 8; 2025 notice III(IV)"),
    ),
    NoticeDefinition(
        "fees_share",
        _("Fees charged per 100 yuan issued this year"),
        "%",
        _fees_per_issued,
        Base.YEAR_END,
        Aim.FALL,
        _("2023 notice, item 8; 2025 notice III(IV)"),
    ),
    NoticeDefinition(
        "npl_write_off_ytd",
        _("SME NPLs written off this year"),
        MONEY,
        _get("npl_write_off_ytd"),
        Base.LAST_YEAR,
        Aim.WATCH,
        _("2023 notice, item 10; 2025 notice (IX)"),
    ),
)
BY_KEY = {d.key: d for d in DEFINITIONS}


def notice_indicators(sums: Sums, basis: Basis) -> list[NoticeIndicator]:
    """Every notice indicator of ``sums`` with its comparison."""
    return [d.compare(sums, basis) for d in DEFINITIONS]


def drilled(sums: Sums, basis: Basis) -> list[NoticeIndicator]:
    """The drill-down table's figures of ``sums``, in the table's order."""
    return [BY_KEY[key].compare(sums, basis) for key in DRILLED]


# The figures the drill-down table shows for each child office (the page of each has them all).
DRILLED = (
    "sme_share",
    "weak_region_share",
    "private_balance",
    "green_balance",
    "agri_balance",
    "individual_borrowers",
    "financing_cost",
)
