"""The notices' headline figures for an office's subtree and a period, from the county rows of
accepted SME-LOANS returns.

One aggregate query sums the rows by period, child office, institution and filer (the row's
county says which office's subtree it belongs to); every figure, comparison and count of
institutions missing a target is arithmetic on those sums. The number of queries is the same
for a county office and for the General Bureau.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Substr

from portal.models import Branch, Division, Institution, Office
from reporting import periods
from reporting.models import FilingRow, FilingStatus, LprRate
from reporting.rules import Context
from reporting.specs import get_spec
from reporting.specs.sme_loans import SME_LOANS_2023, SME_LOANS_2025
from supervision.indicators import (
    RATE_WEIGHT,
    TARGETED,
    Basis,
    Indicator,
    Sums,
    add,
    indicators,
    missed,
    percent,
)

SPEC_CODE = "SME-LOANS"
# The 2025 version only appends the key areas, so one column position serves both versions
# (a 2023 row has no key-area cells: they read as blank).
assert SME_LOANS_2025.column_keys[: len(SME_LOANS_2023.column_keys)] == SME_LOANS_2023.column_keys
SUMMED = tuple(c.key for c in get_spec(SPEC_CODE).columns if c.is_numeric and c.type != "rate")
TREND_QUARTERS = 8


def _number(key: str):
    index = get_spec(SPEC_CODE).column_keys.index(key)
    return Cast(KeyTextTransform(index, "data"), DecimalField(max_digits=24, decimal_places=4))


def _aggregates() -> dict:
    sums = {key: Sum(_number(key)) for key in SUMMED}
    sums[RATE_WEIGHT] = Sum(_number("issued_rate") * _number("issued_ytd"))
    return sums


def accepted_rows(period_list: list[str]):
    """The stored rows of the accepted SME-LOANS filings in force for these periods."""
    return FilingRow.objects.filter(
        filing__spec_code=SPEC_CODE,
        filing__period__in=period_list,
        filing__is_current=True,
        filing__status=FilingStatus.ACCEPTED,
        filing__check_only=False,
    )


def in_subtree(rows, office: Office):
    """Rows whose county is covered by ``office`` or an office under it."""
    counties = Division.objects.filter(office__path__startswith=office.path).values("code")
    return rows.filter(key__in=counties)


@dataclass(frozen=True)
class Group:
    period: str
    unit: str  # the path of the child office (or the office itself) the county lies under
    institution_id: int
    branch_id: int | None


def grouped_sums(office: Office, period_list: list[str], filer: Q) -> dict:
    """Group -> sums of the subtree's rows of these periods: one query."""
    county_office = Division.objects.filter(code=OuterRef("key")).values("office__path")[:1]
    rows = (
        in_subtree(accepted_rows(period_list), office)
        .filter(filer)
        .annotate(
            unit=Substr(Subquery(county_office), 1, len(office.path) + Office.steplen),
            period=F("filing__period"),
            institution_id=F("filing__institution_id"),
            branch_id=F("filing__branch_id"),
        )
        .values("period", "unit", "institution_id", "branch_id")
        .annotate(**_aggregates())
        .order_by()
    )
    result = {}
    for row in rows:
        group = Group(
            row.pop("period"), row.pop("unit"), row.pop("institution_id"), row.pop("branch_id")
        )
        result[group] = row
    return result


# -- the figures of a subtree -------------------------------------------------------------


@dataclass
class Row:
    """The figures of one part of the subtree: a child office, an institution or a filer."""

    sums: Sums
    indicators: list[Indicator]
    office: Office | None = None
    institution: Institution | None = None
    branch: Branch | None = None
    directly: bool = False  # the counties the office covers without an office of their own
    institutions: int = 0
    on_target: int = 0  # institutions missing no target
    period: str = ""

    @property
    def by_key(self) -> dict[str, Indicator]:
        return {i.key: i for i in self.indicators}

    @property
    def missed(self) -> list[str]:
        return missed(self.indicators)

    @property
    def on_target_share(self) -> Decimal | None:
        return percent(Decimal(self.on_target), Decimal(self.institutions))


@dataclass
class Figures:
    office: Office
    period: str
    lpr: Decimal | None
    npl_tolerance: Decimal
    headline: list[Indicator] = field(default_factory=list)
    missing: dict[str, int] = field(default_factory=dict)  # indicator -> institutions missing it
    units: list[Row] = field(default_factory=list)
    institutions: list[Row] = field(default_factory=list)
    filers: list[Row] = field(default_factory=list)
    trend: list[Row] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return self.headline[0].value is not None

    @property
    def headline_rows(self) -> list[tuple[Indicator, int | None]]:
        """Each headline indicator with the count of institutions missing its target."""
        return [(i, self.missing.get(i.key) if i.target else None) for i in self.headline]


def trend_periods(period: str, count: int = TREND_QUARTERS) -> list[str]:
    found = [period]
    while len(found) < count:
        found.append(periods.previous_quarter(found[-1]))
    return found[::-1]


def lpr_on(period: str, rates: list[tuple]) -> Decimal | None:
    end = periods.quarter_end(period)
    return next((rate for month, rate in rates if month <= end), None)


def subtree_figures(
    office: Office,
    period: str,
    *,
    among: QuerySet | None = None,
    institution: Institution | None = None,
    branch: Branch | None = None,
) -> Figures:
    """The figures of ``office``'s subtree for a quarter, from the returns of the institutions
    ``among`` (all when None), or of one institution or branch: a fixed number of queries,
    whatever the size of the subtree."""
    filer = Q()
    if among is not None:
        filer &= Q(filing__institution__in=among.values("pk"))
    if branch is not None:
        filer &= Q(filing__branch=branch)
    elif institution is not None:
        filer &= Q(filing__institution=institution)
    comparisons = (periods.previous_year_end(period), _same_quarter_last_year(period))
    groups = grouped_sums(office, sorted({period, *comparisons}), filer)
    rates = list(LprRate.objects.order_by("-month").values_list("month", "one_year"))
    figures = Figures(
        office, period, lpr_on(period, rates), Context.defaults().params["npl_tolerance"]
    )
    kinds = _kinds(groups)
    split = _Split(groups, (period, *comparisons), figures)

    everything = split.rows(lambda g: None)
    figures.headline = everything[0][2] if everything else indicators({}, split.basis(None, None))

    names = Institution.objects.in_bulk(list({g.institution_id for g in groups}))
    figures.missing = dict.fromkeys(TARGETED, 0)
    for pk, sums, found in split.rows(lambda g: g.institution_id, kinds.get):
        for key in missed(found):
            figures.missing[key] += 1
        figures.institutions.append(Row(sums, found, institution=names.get(pk)))
    figures.institutions.sort(key=lambda r: -(r.sums.get("sme_balance") or 0))

    figures.units = _units(office, split, kinds)
    figures.filers = _filers(split, kinds)
    figures.trend = _trend(office, period, filer, rates, figures.npl_tolerance)
    return figures


def _same_quarter_last_year(period: str) -> str:
    year, quarter = periods.parse_quarter(period)
    return f"{year - 1}Q{quarter}"


def _kinds(groups: dict) -> dict[int, str]:
    ids = {g.institution_id for g in groups}
    return dict(Institution.objects.filter(pk__in=ids).values_list("pk", "kind"))


class _Split:
    """The groups summed by some key, for the period and its two comparison periods."""

    def __init__(self, groups: dict, period_list: tuple[str, str, str], figures: Figures):
        self.groups, self.period_list, self.figures = groups, period_list, figures

    def basis(self, year_end: Sums | None, last_year: Sums | None) -> Basis:
        return Basis(year_end, last_year, self.figures.lpr, self.figures.npl_tolerance)

    def sums(self, key: Callable[[Group], object]) -> list[dict]:
        found = {p: defaultdict(dict) for p in self.period_list}
        for group, sums in self.groups.items():
            add(found[group.period][key(group)], sums)
        return [found[p] for p in self.period_list]

    def rows(
        self, key: Callable[[Group], object], kind_of: Callable[[object], str | None] | None = None
    ) -> list[tuple[object, Sums, list[Indicator]]]:
        """(key, sums, indicators) for each key with rows in the period; ``kind_of(key)``
        gives the institution kind whose targets bind."""
        now, year_end, last_year = self.sums(key)
        return [
            (
                k,
                sums,
                indicators(
                    sums,
                    self.basis(year_end.get(k), last_year.get(k)),
                    kind_of(k) if kind_of else None,
                ),
            )
            for k, sums in now.items()
        ]


def _units(office: Office, split: _Split, kinds: dict[int, str]) -> list[Row]:
    """The child offices' figures, each with the share of its institutions on every target."""
    pairs = split.rows(lambda g: (g.unit, g.institution_id), lambda k: kinds.get(k[1]))
    counted: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (unit, _pk), _sums, found in pairs:
        counted[unit][0] += 1
        counted[unit][1] += not missed(found)
    units = split.rows(lambda g: g.unit)
    offices = {o.path: o for o in Office.objects.filter(path__in=[u for u, _, _ in units])}
    rows = [
        Row(
            sums,
            found,
            office=offices.get(unit),
            directly=unit == office.path,
            institutions=counted[unit][0],
            on_target=counted[unit][1],
        )
        for unit, sums, found in units
    ]
    rows.sort(key=lambda r: (not r.directly, r.office.code if r.office else ""))
    return rows


def _filers(split: _Split, kinds: dict[int, str]) -> list[Row]:
    """Branches that file their own returns, with their figures."""
    found = split.rows(lambda g: (g.institution_id, g.branch_id), lambda k: kinds.get(k[0]))
    ids = [branch_id for (_, branch_id), _, _ in found if branch_id is not None]
    branches = Branch.objects.select_related("institution", "office").in_bulk(ids)
    rows = [
        Row(sums, figures, branch=branches[branch_id])
        for (_, branch_id), sums, figures in found
        if branch_id is not None
    ]
    rows.sort(key=lambda r: -(r.sums.get("sme_balance") or 0))
    return rows


def _trend(office, period, filer, rates, tolerance) -> list[Row]:
    """The subtree's figures quarter by quarter, up to ``period``: one query."""
    quarters = trend_periods(period)
    rows = in_subtree(accepted_rows(quarters), office).filter(filer)
    sums_by_period = {
        row.pop("period"): row
        for row in rows.annotate(period=F("filing__period"))
        .values("period")
        .annotate(**_aggregates())
        .order_by()
    }
    trend = []
    for p in quarters:
        sums = sums_by_period.get(p, {})
        basis = Basis(None, None, lpr_on(p, rates), tolerance)
        trend.append(Row(sums, indicators(sums, basis), period=p))
    return trend
