"""The inputs of scoring, read in bulk: each a few aggregated values per institution.

Return inputs are sums over the rows of the accepted filing in force for each filer, summed in
SQL from the stored JSON rows (one query per return spec version and period, whatever the
number of institutions). An institution's own return is used when it filed one; otherwise its
branches' returns are added up. Figures about reporting come from requests and filings;
the office's arrangements from their own table; a target group's figure from its members'
returns, summed as one bank's.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Case, Count, DecimalField, Q, QuerySet, Sum, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.db.models.lookups import IsNull

from portal.models import Institution
from reporting.models import FilingRow, FilingStatus, ReturnRequest
from reporting.periods import previous_year_end
from reporting.specs import ALL as ALL_SPECS
from supervision.evaluation.groups import Figure, Group, groups_of
from supervision.evaluation.models import AreaArrangement, Arrangement
from supervision.evaluation.sampling import misreported_rows
from supervision.evaluation.scheme import Input, Scheme

HUNDRED = Decimal(100)
NUMBER = DecimalField(max_digits=28, decimal_places=6)

Values = dict[int, dict[str, Decimal | None]]

# Before banks filed their SME credit plans (SME-CREDIT-PLAN), the office typed a bank's plan on
# its arrangement: a year's typed figure stands in for the plan only where the bank has no
# accepted plan for that year, so that past years keep scoring as they were scored.
TYPED_PLAN = "typed_credit_plan"


def year_before(period: str) -> str:
    """The same period a year earlier: ``2025Q3`` -> ``2024Q3``."""
    return f"{int(period[:4]) - 1}{period[4:]}"


def _cell(index: int):
    return Cast(KeyTextTransform(str(index), "data"), NUMBER)


# (institution, own return?) -> input name -> [sum, weight sum]
Sums = dict[tuple[int, bool], dict[str, list]]


def _kept(item: Input, keys: Sequence[str]) -> Q:
    """The rows an input reads: those whose columns have the values of its ``where``."""
    kept = Q()
    for key, value in item.where:
        kept &= Q(**{f"data__{keys.index(key)}": value})
    return kept


def _aggregates(inputs: list[Input], keys: Sequence[str]) -> dict:
    """The sums this spec version's columns give for these inputs (weighted ones with their
    weight's sum), by input name; inputs whose columns the version lacks are left out."""
    aggregates = {}
    for item in inputs:
        if item.column not in keys or (item.weight and item.weight not in keys):
            continue
        cell = _cell(keys.index(item.column))
        if item.where:
            aggregates[item.name] = Sum(cell, filter=_kept(item, keys))
            continue
        if item.weight:
            weight = _cell(keys.index(item.weight))
            # Rows with no value carry no weight: a blank rate is not a rate of zero.
            aggregates[f"{item.name}__w"] = Sum(Case(When(IsNull(cell, False), then=weight)))
            aggregates[item.name] = Sum(cell * weight)
        else:
            aggregates[item.name] = Sum(cell)
    return aggregates


def _add_up(sums: Sums, grouped: Iterable[Mapping[str, Any]], inputs: list[Input]) -> None:
    """Add each filer's sums of one spec version to what earlier versions gave."""
    for row in grouped:
        slot = sums[(row["filing__institution_id"], row["filing__branch_id"] is None)]
        for item in inputs:
            value = row.get(item.name)
            if value is None:
                continue
            held = slot.setdefault(item.name, [Decimal(0), Decimal(0)])
            held[0] += value
            held[1] += row.get(f"{item.name}__w") or 0


def _per_institution(sums: Sums, inputs: list[Input]) -> Values:
    """Each institution's values: its own return's where it filed one, else its branches'."""
    values: Values = defaultdict(dict)
    for (institution_id, own), slot in sorted(sums.items(), key=lambda kv: not kv[0][1]):
        if not own and (institution_id, True) in sums:
            continue  # the institution's own return covers its branches
        target = values[institution_id]
        for item in inputs:
            if item.name not in slot:
                continue
            total, weight = slot[item.name]
            target[item.name] = (total / weight if weight else None) if item.weight else total
    return values


def _return_inputs(
    inputs: list[Input], spec_code: str, period: str, institutions: QuerySet | None
) -> Values:
    """Each institution's sums (or weighted averages) of these inputs' columns."""
    sums: Sums = defaultdict(dict)
    for spec in (s for s in ALL_SPECS if s.code == spec_code):
        aggregates = _aggregates(inputs, spec.column_keys)
        if not aggregates:
            continue
        rows = FilingRow.objects.filter(
            filing__spec_code=spec_code,
            filing__spec_version=spec.version,
            filing__period=period,
            filing__is_current=True,
            filing__status=FilingStatus.ACCEPTED,
        )
        if institutions is not None:
            rows = rows.filter(filing__institution__in=institutions.values("pk"))
        grouped = (
            rows.values("filing__institution_id", "filing__branch_id")
            .annotate(**aggregates)
            .order_by()
        )
        _add_up(sums, grouped, inputs)
    return _per_institution(sums, inputs)


def _quality_inputs(period: str, institutions: QuerySet | None, today: date) -> Values:
    """Shares of the year's periodic returns filed on time, and valid at first upload."""
    requests = ReturnRequest.objects.filter(
        period__startswith=period[:4], period__lte=period, source="schedule"
    )
    if institutions is not None:
        requests = requests.filter(institution__in=institutions.values("pk"))
    filed = Q(filings__is_current=True, filings__status=FilingStatus.ACCEPTED)
    counts = (
        requests.filter(Q(due_date__lt=today) | filed)
        .values("institution_id")
        .annotate(
            due=Count("pk", distinct=True),
            on_time=Count("pk", filter=filed & Q(filings__is_late=False), distinct=True),
            first=Count("pk", filter=Q(filings__version=1), distinct=True),
            first_valid=Count(
                "pk",
                filter=Q(filings__version=1) & ~Q(filings__status=FilingStatus.REJECTED),
                distinct=True,
            ),
        )
        .order_by()
    )
    values: Values = {}
    for row in counts:
        values[row["institution_id"]] = {
            "on_time_share": HUNDRED * row["on_time"] / row["due"] if row["due"] else None,
            "first_valid_share": (
                HUNDRED * row["first_valid"] / row["first"] if row["first"] else None
            ),
        }
    return values


def _arrangement_inputs(year: int, institutions: QuerySet | None) -> tuple[Values, set[int]]:
    arrangements = Arrangement.objects.filter(year=year)
    if institutions is not None:
        arrangements = arrangements.filter(institution__in=institutions.values("pk"))
    values: Values = {}
    differentiated = set()
    for institution_id, plan, target, special in arrangements.values_list(
        "institution_id", "typed_credit_plan", "growth_target", "differentiated"
    ):
        # The plan typed by the office before banks filed it (``TYPED_PLAN``).
        values[institution_id] = {TYPED_PLAN: plan, "office_target": target}
        if special:
            differentiated.add(institution_id)
    areas = [
        Q(office__path__startswith=path)
        for path in AreaArrangement.objects.filter(year=year).values_list("office__path", flat=True)
    ]
    if areas:
        within = Institution.objects.filter(reduce(or_, areas))
        if institutions is not None:
            within = within.filter(pk__in=institutions.values("pk"))
        differentiated |= set(within.values_list("pk", flat=True))
    return values, differentiated


def group_figures(
    scheme: Scheme, period: str, groups: list[Group], known: Values | None = None
) -> list[Figure]:
    """Each group's figure for ``period``: the scheme's group formula over its members'
    return inputs, each summed over the members that have all of them, as if one bank.
    ``known`` holds every member's values already read; without it they are read here (one
    query per return spec version, however many groups)."""
    assert scheme.group is not None, "only a scheme with a group figure has group figures"
    names = sorted(scheme.group.formula.names)
    if known is None:
        members = Institution.objects.filter(pk__in=set().union(*(g.members for g in groups)))
        known = defaultdict(dict)
        for spec_code in sorted({scheme.inputs[name].spec for name in names}):
            items = [scheme.inputs[n] for n in names if scheme.inputs[n].spec == spec_code]
            for pk, found in _return_inputs(items, spec_code, period, members).items():
                known[pk].update(found)
    figures = []
    for group in groups:
        rows = [known[m] for m in sorted(group.members) if m in known]
        rows = [row for row in rows if all(row.get(n) is not None for n in names)]
        sums = {
            n: sum((v for row in rows if (v := row.get(n)) is not None), Decimal(0)) for n in names
        }
        try:
            value = scheme.group.formula(sums) if rows else None
        except ZeroDivisionError:
            value = None
        figures.append(Figure(group, value, len(rows)))
    return figures


def _group_inputs(
    scheme: Scheme, period: str, institutions: QuerySet | None, values: Values
) -> Values:
    """``group_value`` and ``group_target`` for each member of a group: of its groups, the
    one furthest above (or least below) its target."""
    among = None if institutions is None else set(institutions.values_list("pk", flat=True))
    groups = groups_of(int(period[:4]), among)
    if not groups:
        return {}
    known = values if institutions is None else None
    best: dict[int, tuple[Decimal, Figure]] = {}
    for figure in group_figures(scheme, period, groups, known):
        if figure.margin is None:
            continue
        for member in figure.group.members if among is None else figure.group.members & among:
            if member not in best or figure.margin > best[member][0]:
                best[member] = (figure.margin, figure)
    return {
        member: {"group_value": figure.value, "group_target": figure.group.target}
        for member, (_, figure) in best.items()
    }


def gather(
    scheme: Scheme, period: str, institutions: QuerySet | None, today: date
) -> tuple[Values, set[int], set[int]]:
    """(values by institution, the differentiated ones, those with a return this period).

    ``institutions`` narrows the reading (None: every institution). An institution with no
    value for an input simply has none: scoring names it as missing.
    """
    values: Values = defaultdict(dict)
    filed = set()
    by_source: dict[tuple[str, str], list[Input]] = defaultdict(list)
    for item in scheme.inputs.values():
        if item.source == "return":
            by_source[(item.spec, item.period)].append(item)
    for (spec_code, which), items in sorted(by_source.items()):
        label = {
            "current": period,
            "prior_year": year_before(period),
            "year_end": previous_year_end(period),
            "year": period[:4],
        }[which]
        for institution_id, found in _return_inputs(items, spec_code, label, institutions).items():
            values[institution_id].update(found)
            if which == "current":
                filed.add(institution_id)
    if scheme.group is not None and any(i.source == "group" for i in scheme.inputs.values()):
        for institution_id, found in _group_inputs(scheme, period, institutions, values).items():
            values[institution_id].update(found)
    for institution_id, found in _quality_inputs(period, institutions, today).items():
        values[institution_id].update(found)
    arranged, differentiated = _arrangement_inputs(int(period[:4]), institutions)
    for institution_id, found in arranged.items():
        typed = found.pop(TYPED_PLAN)
        values[institution_id].update(found)
        if typed is not None and values[institution_id].get("credit_plan") is None:
            values[institution_id]["credit_plan"] = typed
    for institution_id, found in misreported_rows(period, institutions, filed).items():
        values[institution_id].update(found)
    return values, differentiated, filed
