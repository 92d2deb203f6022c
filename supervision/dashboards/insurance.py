"""The insurance view: the accepted SME-INSURANCE returns of an office's subtree for a quarter,
by product line, by insurer and by child office: policies, premiums, sums insured, claims paid
and the days to pay them, individual businesses' cover, and the foreign-trade SMEs covered by
export credit insurance (2023 notice (十四)(十五), 2025 notice (VIII)).

An insurer files one row per product line, a few dozen rows a quarter: the rows are read once
and added up here, each by its own version's columns. A figure or a product line that no
return of the subtree could carry (its version lacks it) is None: "not reported under this
version", never zero.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.db.models import Q, QuerySet

from portal import scoping
from portal.models import Institution, Office
from reporting.models import Filing, FilingRow, FilingStatus
from reporting.spec import Choice
from reporting.specs import ALL, get_spec
from supervision.dashboards.indicators import CENT

SPEC_CODE = "SME-INSURANCE"
SUMMED = (
    "policies",
    "premiums",
    "sum_insured",
    "claims_paid",
    "claims",
    "individual_policies",
    "individual_premiums",
    "enterprises",
)
DAYS_WEIGHT = "days_weight"  # sum of average days to settle x claims paid (count)
DAYS_CLAIMS = "days_claims"  # the claims of the rows that report their days
EXPORT_CREDIT = "export_credit"


def product_lines() -> list[Choice]:
    """Every product line of any version, the newest version's order first."""
    specs = sorted((s for s in ALL if s.code == SPEC_CODE), key=lambda s: s.version, reverse=True)
    found: dict[str, Choice] = {}
    for spec in specs:
        for choice in spec.column("product_line").choices:
            found.setdefault(choice.value, choice)
    return list(found.values())


@dataclass
class Totals:
    sums: dict[str, Decimal | None] = field(default_factory=dict)

    def add(self, values: dict[str, Decimal | None]) -> None:
        for key, value in values.items():
            if value is None:
                self.sums.setdefault(key, None)
            else:
                self.sums[key] = (self.sums.get(key) or Decimal(0)) + value

    def get(self, key: str) -> Decimal | None:
        return self.sums.get(key)

    @property
    def settle_days(self) -> Decimal | None:
        weight, claims = self.sums.get(DAYS_WEIGHT), self.sums.get(DAYS_CLAIMS)
        return (weight / claims).quantize(CENT) if weight is not None and claims else None


@dataclass
class Unit:
    office: Office
    directly: bool
    totals: Totals


@dataclass
class InsuranceFigures:
    office: Office
    period: str
    total: Totals = field(default_factory=Totals)
    lines: list[tuple[Choice, Totals | None]] = field(default_factory=list)
    insurers: list[tuple[Institution, Totals]] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    filings: int = 0

    @property
    def export_credit(self) -> Totals | None:
        return next((t for c, t in self.lines if c.value == EXPORT_CREDIT), None)


def accepted_filings(user, office: Office, period: str) -> QuerySet[Filing]:
    """The accepted SME-INSURANCE returns in force of ``period`` filed under ``office`` that
    ``user`` may see."""
    under = Q(branch__isnull=True, institution__office__path__startswith=office.path) | Q(
        branch__office__path__startswith=office.path
    )
    return (
        scoping.visible(user, Filing)
        .filter(under, spec_code=SPEC_CODE, period=period, is_current=True)
        .filter(status=FilingStatus.ACCEPTED, check_only=False)
    )


@cache
def _layout(version: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """A version's column keys, and its product lines' values by their Chinese labels."""
    spec = get_spec(SPEC_CODE, version)
    labels = {c.label_zh: c.value for c in spec.column("product_line").choices}
    return tuple(spec.column_keys), labels


def _values(version: str, data: list) -> tuple[str, dict[str, Decimal | None]]:
    """A stored row's product line and its figures (None where the version lacks one)."""
    keys, labels = _layout(version)
    by_key = dict(zip(keys, data, strict=True))
    line = by_key["product_line"] or ""
    figures = {
        key: None if by_key.get(key) in (None, "") else Decimal(by_key[key])
        for key in (*SUMMED, "settle_days")
    }
    days, claims = figures.pop("settle_days"), figures.get("claims")
    reported = days is not None and claims is not None
    figures[DAYS_WEIGHT] = days * claims if reported and days is not None and claims else None
    figures[DAYS_CLAIMS] = claims if reported else None
    return labels.get(line, line), figures


def insurance_figures(user, office: Office, period: str) -> InsuranceFigures:
    """The subtree's insurance figures: four queries, whatever its size (the returns, then
    their rows by the returns' ids: read through the returns, the rows of every return
    stored would be joined first)."""
    found = InsuranceFigures(office, period)
    filings: dict[int, tuple[str, int, str, str | None]] = {
        pk: (version, insurer, head, branch)
        for pk, version, insurer, head, branch in accepted_filings(user, office, period)
        .order_by()
        .values_list(
            "pk",
            "spec_version",
            "institution_id",
            "institution__office__path",
            "branch__office__path",
        )
    }
    rows = (
        FilingRow.objects.filter(filing_id__in=list(filings))
        .order_by()
        .values_list("filing_id", "data")
    )
    by_line: dict[str, Totals] = defaultdict(Totals)
    by_insurer: dict[int, Totals] = defaultdict(Totals)
    by_unit: dict[str, Totals] = defaultdict(Totals)
    versions: set[str] = set()
    filing_ids: set[int] = set()
    width = len(office.path) + Office.steplen
    for filing_id, data in rows:
        version, insurer, head, branch = filings[filing_id]
        line, figures = _values(version, data)
        versions.add(version)
        filing_ids.add(filing_id)
        for totals in (found.total, by_line[line], by_insurer[insurer]):
            totals.add(figures)
        by_unit[(branch or head)[:width]].add(figures)
    carried = {
        c.value for v in versions for c in get_spec(SPEC_CODE, v).column("product_line").choices
    }
    found.lines = [
        (choice, by_line.get(choice.value, Totals()) if choice.value in carried else None)
        for choice in product_lines()
    ]
    insurers = Institution.objects.in_bulk(list(by_insurer))
    found.insurers = sorted(
        ((insurers[pk], totals) for pk, totals in by_insurer.items()),
        key=lambda pair: -(pair[1].get("premiums") or 0),
    )
    offices = {o.path: o for o in Office.objects.filter(path__in=list(by_unit))}
    found.units = sorted(
        (Unit(offices[p], p == office.path, t) for p, t in by_unit.items() if p in offices),
        key=lambda u: (not u.directly, u.office.code),
    )
    found.filings = len(filing_ids)
    return found
