"""The notices' headline figures for an office's subtree and a period, from the summaries of
accepted SME-LOANS returns (``LendingSummary``: each return's county rows summed for every
office of the tree, written when the return is accepted, ``supervision.lending_rows``).

Aggregate queries sum the summaries at the office's own path by period and institution or
filer, and those of its child offices by period and child; every figure, comparison and count
of institutions missing a target is arithmetic on those sums. The number of queries, and the
number of rows each reads (one or two per return), is the same for a county office and for the
General Bureau.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, F, Q, QuerySet

from portal.models import Branch, Institution, Office
from reporting import periods
from reporting.models import LprRate
from reporting.specs import ALL
from supervision.dashboards import kept_sums
from supervision.dashboards.indicators import (
    DEFINITIONS,
    RATE_WEIGHT,
    TARGETED,
    Basis,
    Indicator,
    Sums,
    add,
    columns_read,
    indicators,
    missed_targets,
    percent,
)
from supervision.dashboards.lending_rows import SPEC_CODE
from supervision.dashboards.models import (
    InstitutionLending,
    LendingSummary,
    OfficeLending,
)
from supervision.dashboards.notice_indicators import DRILLED_DEFINITIONS
from supervision.dashboards.summed_sql import accepted, grouped, read_sums, sums_by
from supervision.dashboards.summed_sql import accepted_rows as accepted_rows
from supervision.dashboards.summed_sql import in_subtree as in_subtree
from supervision.dashboards.targets_sql import targets_missed_sql
from supervision.evaluation.selectors import npl_tolerance

# Every SME-LOANS version, for the count of the returns summed by version.
VERSIONS = tuple(sorted(spec.version for spec in ALL if spec.code == SPEC_CODE))
# The columns summed for each institution on a page: those of the headline and of the notice
# figures its ranking shows (the figures workbook sums them all).
RANKED_COLUMNS = columns_read((*DEFINITIONS, *DRILLED_DEFINITIONS))
TREND_QUARTERS = 8
# What the trend shows: balance, growth against all loans, borrowers, the new-loan rate and
# the NPL ratio (summing only these keeps its eight quarters cheap).
TREND = (
    "sme_balance",
    "sme_balance_start",
    "all_balance",
    "all_balance_start",
    "borrowers",
    "issued_ytd",
    RATE_WEIGHT,
    "sme_npl",
    "all_npl",
)


# -- the figures of a subtree -------------------------------------------------------------


@dataclass
class Row:
    """The figures of one part of the subtree: a child office, an institution or a filer.
    They are worked out when first read: the General Bureau's page counts the targets its
    thousands of institutions miss, and shows the figures of twenty."""

    sums: Sums
    basis: Basis
    kind: str | None = None  # the institution's kind, for the targets that bind it
    office: Office | None = None
    # An institution's row has its id and its head office's path; the institution itself is
    # read for the rows shown (``with_institutions``).
    institution_id: int | None = None
    head: str = ""
    institution: Institution | None = None
    branch: Branch | None = None
    # The office itself: the counties it covers without an office of their own, and the
    # institutions whose head office it supervises.
    directly: bool = False
    institutions: int = 0
    on_target: int = 0  # institutions missing no target
    period: str = ""
    # The targets missed, when the database worked them out (``targets_missed_sql``).
    targets_missed: list[str] | None = None

    @cached_property
    def indicators(self) -> list[Indicator]:
        return indicators(self.sums, self.basis, self.kind)

    @property
    def by_key(self) -> dict[str, Indicator]:
        return {i.key: i for i in self.indicators}

    @cached_property
    def missed(self) -> list[str]:
        if self.targets_missed is not None:
            return self.targets_missed
        return missed_targets(self.sums, self.basis, self.kind)

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
    institutions: list[Row] = field(default_factory=list)  # all, or the ``ranked`` largest
    institution_count: int = 0
    filers: list[Row] = field(default_factory=list)
    trend: list[Row] = field(default_factory=list)
    # The subtree's sums for the quarter and what they are compared with.
    sums: Sums = field(default_factory=dict)
    basis: Basis | None = None
    # The returns summed for the quarter, by their SME-LOANS version.
    versions: dict[str, int] = field(default_factory=dict)

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
    every_column: bool = False,
    ranked: int | None = None,
) -> Figures:
    """The figures of ``office``'s subtree for a quarter, from the returns of the institutions
    ``among`` (all when None), or of one institution or branch: a fixed number of queries,
    whatever the size of the subtree.

    Four aggregate queries over the lending summaries: by child office (the children's
    summaries, and the office's own counties'), by institution and by branch filing its own
    returns (the summaries at the office's path), each for the quarter and the two it is
    compared with; and by quarter for the trend. Of every institution's returns, those by
    office and institution are read from the sums kept per quarter (``period_summaries``): a
    row each, not one per return. Institutions' sums hold the columns the page shows
    (``RANKED_COLUMNS``) unless ``every_column``; only the ``ranked`` largest institutions
    when given, those sums being kept (``kept_sums.leaders`` counts and ranks them all)."""
    filer = Q()
    if among is not None:
        filer &= Q(filing__institution__in=among.values("pk"))
    if branch is not None:
        filer &= Q(filing__branch=branch)
    elif institution is not None:
        filer &= Q(filing__institution=institution)
    year_end, last_year = periods.previous_year_end(period), periods.year_before(period)
    quarters = sorted({period, year_end, last_year})
    summaries = (
        accepted(LendingSummary, quarters).filter(filer).annotate(period=F("filing__period"))
    )
    rates = list(LprRate.objects.order_by("-month").values_list("month", "one_year"))
    figures = Figures(office, period, lpr_on(period, rates), npl_tolerance(period))

    def basis(sums: dict, key) -> Basis:
        return Basis(
            sums.get((year_end, *key)),
            sums.get((last_year, *key)),
            figures.lpr,
            figures.npl_tolerance,
        )

    # Every institution's returns (``among`` None, no filer): the sums kept per quarter.
    summarised = among is None and institution is None and branch is None
    unit_rows, institution_rows = _sources(office, summaries, quarters if summarised else None)
    by_unit = sums_by(unit_rows.annotate(unit=F("path")), "period", "unit")
    by_period: dict[tuple, Sums] = defaultdict(dict)
    for (each, _unit), sums in by_unit.items():
        add(by_period[(each,)], sums)
    figures.sums, figures.basis = by_period.get((period,), {}), basis(by_period, ())
    figures.headline = indicators(figures.sums, figures.basis)

    columns = () if every_column else RANKED_COLUMNS
    leaders = _leaders(figures, (period, year_end, last_year), ranked if summarised else None)
    ids = None if leaders is None else leaders.ids
    by_institution, heads = _institution_sums(institution_rows, figures, columns, ids)
    _add_institutions(figures, by_institution, heads, basis)
    figures.units = _units(office, period, by_unit, basis, _count_all(figures, leaders))
    rows = summaries.filter(depth=office.depth, path=office.path, filing__branch__isnull=False)
    by_branch = sums_by(
        rows.annotate(branch_id=F("filing__branch_id")),
        "period",
        "branch_id",
    )
    figures.filers = _filers(period, by_branch, basis)
    compared = {
        (p,): {key: by_period.get((p,), {}).get(key) for key in TREND}
        for p in (period, year_end, last_year)
    }
    figures.trend = _trend(
        office, period, None if summarised else filer, rates, figures.npl_tolerance, compared
    )
    return figures


def _sources(
    office: Office, summaries: QuerySet, quarters: list[str] | None
) -> tuple[QuerySet, QuerySet]:
    """The rows summed by child office (the children's, and the office's own counties') and
    by institution (those at the office's path): the sums kept for these ``quarters`` when
    given, else the returns' ``summaries``."""
    units = Q(depth=office.depth, path=office.path, own=True) | Q(
        depth=office.depth + 1, path__startswith=office.path
    )
    at_office = Q(depth=office.depth, path=office.path)
    if quarters is not None:
        return (
            OfficeLending.objects.filter(units, period__in=quarters),
            InstitutionLending.objects.filter(at_office, period__in=quarters),
        )
    return (
        summaries.filter(units),
        summaries.filter(at_office).annotate(institution_id=F("filing__institution_id")),
    )


def _leaders(
    figures: Figures, quarters: tuple[str, str, str], ranked: int | None
) -> kept_sums.Leaders | None:
    """Every institution's kept row counted and ranked by the database, when a page reads
    only the ``ranked`` largest (on PostgreSQL, whose sums are exact: it decides the targets
    missed as ``missed_targets`` would)."""
    if ranked is None or connection.vendor != "postgresql":
        return None
    missed = targets_missed_sql(figures.lpr, figures.npl_tolerance, "")
    return kept_sums.leaders(figures.office, quarters, missed, ranked)


def _count_all(figures: Figures, leaders: kept_sums.Leaders | None) -> dict[str, list[int]]:
    """The child offices' counts of institutions (``_counted``); where the database counted
    every institution (``leaders``), its counts, and its counts of targets missed and of
    returns by version in ``figures`` (those of the rows read are of the largest only)."""
    if leaders is None:
        return _counted(figures.office, figures.institutions)
    figures.missing.update(leaders.missing)
    figures.versions, figures.institution_count = leaders.versions, leaders.total
    return leaders.counted


class Head(NamedTuple):
    """An institution's kind, its head office's path and, where the database worked them out,
    the targets it misses in the quarter."""

    kind: str
    path: str
    missed: list[str] | None


def _institution_sums(
    rows: QuerySet, figures: Figures, columns: tuple[str, ...], ids: list[int] | None
) -> tuple[dict[tuple, Sums], dict[int, Head]]:
    """The summaries' sums by quarter and institution (one query, as ``sums_by``), with each
    institution's kind and head office; on PostgreSQL, whose sums are exact, the targets each
    institution misses in the quarter too, worked out in the same query from the shared
    definitions (``targets_missed_sql``) rather than one by one here."""
    period = figures.period
    kept = rows.model is InstitutionLending
    quarters = (period, periods.previous_year_end(period), periods.year_before(period))
    missed = None
    if connection.vendor == "postgresql":
        missed = targets_missed_sql(figures.lpr, figures.npl_tolerance, "" if kept else "total_")
    if kept:  # a row per institution and quarter already, with its returns by version
        query, params, names = kept_sums.institution_query(
            figures.office, quarters, columns, missed, ids
        )
    else:
        query, params, names = _summed_by_institution(rows, columns, quarters, missed)
    found: dict[tuple, Sums] = {}
    heads: dict[int, Head] = {}
    width = len(names)
    returns = width + (1 if kept else len(VERSIONS))
    versions: dict[str, int] = defaultdict(int)
    exact = connection.vendor == "postgresql"  # asked once, not once a row
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        for each, pk, *values in cursor.fetchall():
            found[(each, pk)] = (
                dict(zip(names, values[:width], strict=True))
                if exact
                else read_sums(names, values[:width])
            )
            if each == period:
                heads[pk] = Head(*values[returns:])
                counts = (
                    kept_sums.versions(values[width])
                    if kept
                    else zip(VERSIONS, values[width:returns], strict=True)
                )
                for version, count in counts:
                    versions[version] += count
    figures.versions = {v: versions[v] for v in sorted(versions) if versions[v]}
    return found, heads


def _summed_by_institution(rows: QuerySet, columns, quarters, missed: str | None):
    """The summaries' sums by quarter and institution, counting the returns by version, with
    the institution's kind and head office and the targets it misses (``missed``)."""
    counted = {  # one count per SME-LOANS version
        f"returns_{index}": Count("filing", distinct=True, filter=Q(filing__spec_version=version))
        for index, version in enumerate(VERSIONS)
    }
    sql, params, names = grouped(rows, ("period", "institution_id"), columns, **counted)
    institutions, offices = Institution._meta.db_table, Office._meta.db_table
    params.append(quarters[0])
    compared = ""
    if missed is not None:
        compared = (
            "LEFT JOIN summed year_end ON year_end.institution_id = summed.institution_id "
            "AND year_end.period = %s LEFT JOIN summed prior ON prior.institution_id = "
            "summed.institution_id AND prior.period = %s"
        )
        params += [quarters[1], quarters[2]]
    query = (
        f"WITH summed AS ({sql}) SELECT summed.*, institution.kind, office.path, "
        f"CASE WHEN summed.period = %s THEN {missed or 'NULL'} END FROM summed "
        f"JOIN {institutions} institution ON institution.id = summed.institution_id "
        f"JOIN {offices} office ON office.id = institution.office_id {compared}"
    )
    return query, params, names


def _add_institutions(figures: Figures, by_institution: dict, heads: dict, basis) -> None:
    """Each institution's figures for the quarter, the largest SME lending first, and how many
    institutions miss each target."""
    period = figures.period
    figures.missing = dict.fromkeys(TARGETED, 0)
    for each, pk in by_institution:
        if each != period:
            continue
        head = heads[pk]
        row = Row(
            by_institution[(period, pk)],
            basis(by_institution, (pk,)),
            head.kind,
            institution_id=pk,
            head=head.path,
            targets_missed=head.missed,
        )
        # What the database worked out, read as it is: Row.missed is a cached_property, whose
        # lock (Python 3.11) costs more than the rest of this loop over 4,270 institutions.
        for key in row.missed if head.missed is None else head.missed:
            figures.missing[key] += 1
        figures.institutions.append(row)
    figures.institutions.sort(key=lambda r: (-(r.sums.get("sme_balance") or 0), r.institution_id))
    figures.institution_count = len(figures.institutions)


def with_institutions(rows: list[Row]) -> list[Row]:
    """``rows`` (institutions') with their institutions read, in one query for those not read
    yet."""
    wanted = [row.institution_id for row in rows if row.institution is None]
    found = (
        Institution.objects.select_related("office")
        .only("name_zh", "name_en", "kind", "credit_code", "office__path", "office__code")
        .in_bulk(wanted)
    )
    for row in rows:
        if row.institution is None:
            row.institution = found[row.institution_id]
    return rows


def _counted(office: Office, institutions: list[Row]) -> dict[str, list[int]]:
    """Of the institutions supervised (by head office) in each child office, how many and
    how many miss no target on their figures in the whole subtree."""
    width = len(office.path) + Office.steplen
    counted: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in institutions:
        head = row.head
        if head.startswith(office.path):
            counted[head[:width]][0] += 1
            counted[head[:width]][1] += not row.missed
    return counted


def _units(office: Office, period: str, by_unit: dict, basis, counted: dict) -> list[Row]:
    """The child offices' figures, each with the share of the institutions it supervises
    that miss no target (``counted``)."""
    # Offices with lending in the quarter, and those supervising institutions that lend.
    units = sorted({unit for each, unit in by_unit if each == period} | set(counted))
    offices = {o.path: o for o in Office.objects.filter(path__in=units)}
    rows = [
        Row(
            by_unit.get((period, unit), {}),
            basis(by_unit, (unit,)),
            office=offices.get(unit),
            directly=unit == office.path,
            institutions=counted.get(unit, [0, 0])[0],
            on_target=counted.get(unit, [0, 0])[1],
        )
        for unit in units
    ]
    rows.sort(key=lambda r: (not r.directly, r.office.code if r.office else ""))
    return rows


def _filers(period: str, by_branch: dict, basis) -> list[Row]:
    """Branches that file their own returns, with their figures."""
    ids = [pk for each, pk in by_branch if each == period]
    branches = Branch.objects.select_related("institution", "office").in_bulk(ids)
    rows = [
        Row(
            by_branch[(period, pk)],
            basis(by_branch, (pk,)),
            branches[pk].institution.kind,
            branch=branches[pk],
        )
        for pk in ids
    ]
    rows.sort(key=lambda r: -(r.sums.get("sme_balance") or 0))
    return rows


def _trend(
    office, period, filer: Q | None, rates, tolerance, summed: dict[tuple, Sums]
) -> list[Row]:
    """The subtree's figures quarter by quarter, up to ``period``: the quarters ``summed``
    already (the period and those it is compared with), and one query for the others."""
    quarters = trend_periods(period)
    others = [p for p in quarters if (p,) not in summed]
    if filer is None:  # every institution's returns: the office's quarters' sums
        kept = OfficeLending.objects.filter(period__in=others, depth=office.depth, path=office.path)
        found = sums_by(kept, "period", columns=TREND)
    else:
        rows = accepted(LendingSummary, others).filter(filer, depth=office.depth, path=office.path)
        found = sums_by(rows.annotate(period=F("filing__period")), "period", columns=TREND)
    sums_by_period = {**found, **summed}
    trend = []
    for p in quarters:
        sums = sums_by_period.get((p,), {})
        trend.append(Row(sums, Basis(None, None, lpr_on(p, rates), tolerance), period=p))
    return trend
