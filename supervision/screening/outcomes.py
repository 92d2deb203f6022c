"""Screening outcomes measured (issue 19, the 2025 notice's "directly and quickly"): how many
days from the push of an enterprise to a bank to its first contact, to the bank's decision and
to the loan, per bank, office or task, as medians and distributions; rates weighted by amount;
and the mix of the loans granted. Reads only.

Where each date comes from:

- push: the day the enterprise entered its current assignment (its ``pushed_at``, its
  entry's ``assigned_at``);
- first contact: the enterprise's ``contact_date`` (a visit's day, or the result workbook's);
- decision: the first visit under that assignment that granted or declined;
- loan: the earliest loan date a visit under that assignment gave.

Decision and loan days are measured over visits: the result workbook keeps no decision day,
and its loan date is not kept on the enterprise.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from supervision.screening import rollup
from supervision.screening.models import Decision, TaskEnterprise
from supervision.screening.visits.models import Visit

# The distribution's bands, in days from the push: (label, first day, last day or None).
BANDS = (("0-3", 0, 3), ("4-7", 4, 7), ("8-14", 8, 14), ("15-30", 15, 30), ("31+", 31, None))
# The groups a roll-up of outcomes is cut by, and the lookup from an enterprise's current entry.
GROUPS = {
    "bank": "assignment__institution_id",
    "office": "assignment__office_id",
    "task": "task_id",
}
DECIDED = (Decision.GRANTED, Decision.DECLINED)


@dataclass
class Timing:
    """Days from the push to one event, over the enterprises that reached it: how many took
    each number of days (a histogram, so that 200,000 enterprises are a few dozen rows)."""

    counts: Counter[int] = field(default_factory=Counter)

    def add(self, days: int, n: int = 1) -> None:
        self.counts[max(0, days)] += n

    @property
    def count(self) -> int:
        return sum(self.counts.values())

    @property
    def days(self) -> list[int]:
        """Each enterprise's days, in order."""
        return sorted(self.counts.elements())

    @property
    def median(self) -> float | None:
        total = self.count
        if not total:
            return None
        wanted = {(total - 1) // 2, total // 2}  # the middle one, or the middle two
        found, seen = [], 0
        for days in sorted(self.counts):
            n = self.counts[days]
            found += [days for position in wanted if seen <= position < seen + n]
            seen += n
        return sum(found) / len(found)

    def distribution(self) -> list[tuple[str, int]]:
        return [
            (
                label,
                sum(n for d, n in self.counts.items() if d >= low and (high is None or d <= high)),
            )
            for label, low, high in BANDS
        ]


@dataclass
class Measures:
    """The outcomes of one group (a bank, an office or a task, by its id)."""

    key: int | None
    pushed: int = 0
    to_contact: Timing = field(default_factory=Timing)
    to_decision: Timing = field(default_factory=Timing)
    to_loan: Timing = field(default_factory=Timing)
    label: str = ""


def _day(moment: date | datetime) -> date:
    return timezone.localdate(moment) if isinstance(moment, datetime) else moment


def _visit_events(current: QuerySet[TaskEnterprise], by: str) -> Iterator[tuple]:
    """(group, enterprise's push, first decision, first loan) of the enterprises with a visit
    that decided or gave a loan under their current assignment: a few, read row by row."""
    visits = Visit.objects.filter(
        enterprise__in=current.values("pk"), assignment=F("enterprise__assignment")
    ).values("enterprise_id")
    decided = visits.filter(decision__in=DECIDED).annotate(first=Min("visited_at")).order_by()
    loaned = visits.filter(loan_date__isnull=False).annotate(first=Min("loan_date")).order_by()
    decisions = {row["enterprise_id"]: row["first"] for row in decided}
    loans = {row["enterprise_id"]: row["first"] for row in loaned}
    rows = current.filter(pk__in=[*decisions, *loans]).values_list(GROUPS[by], "pk", "pushed_at")
    for key, enterprise, pushed in rows:
        yield key, _day(pushed), decisions.get(enterprise), loans.get(enterprise)


def push_groups(by: str) -> dict[str, Any]:
    """The annotations that count enterprises for ``timings``: the group ``by`` ("bank",
    "office" or "task") as ``key`` and the days from push to first contact as ``days`` (None:
    not contacted, or not pushed)."""
    days = ExpressionWrapper(
        F("contact_date") - TruncDate("pushed_at"), output_field=DurationField()
    )
    return {"key": F(GROUPS[by]), "days": days}


def timings(
    enterprises: QuerySet[TaskEnterprise], by: str, counted: Iterable[dict] | None = None
) -> list[Measures]:
    """Days from push to first contact, decision and loan of ``enterprises`` (already scoped),
    per group ``by`` ("bank", "office" or "task"), largest group first. The days to contact
    are counted in the database, by ``push_groups(by)``: the ``counted`` groups when a
    roll-up has counted them in its scan (each with its ``assigned`` enterprises), else in a
    grouped query of their own."""
    current = enterprises.filter(assignment__isnull=False)
    by_push = push_groups(by)
    rows: Iterable[Mapping[str, Any]] = (
        counted
        if counted is not None
        else current.annotate(key=by_push["key"], days=by_push["days"])
        .values("key", "days")
        .annotate(assigned=Count("pk"))
        .order_by()
    )
    groups: dict[int | None, Measures] = {}

    def measures(key: int | None) -> Measures:
        return groups.get(key) or groups.setdefault(key, Measures(key))

    for row in rows:
        if not row["assigned"]:
            continue  # none of them pushed
        found = measures(row["key"])
        found.pushed += row["assigned"]
        if row["days"] is not None:
            found.to_contact.add(row["days"].days, row["assigned"])
    for key, pushed, decided, loaned in _visit_events(current, by):
        if decided is not None:
            measures(key).to_decision.add((_day(decided) - pushed).days)
        if loaned is not None:
            measures(key).to_loan.add((loaned - pushed).days)
    return sorted(groups.values(), key=lambda m: (-m.pushed, m.key or 0))


def overall(measures: Iterable[Measures]) -> Measures:
    total = Measures(None)
    for m in measures:
        total.pushed += m.pushed
        total.to_contact.counts.update(m.to_contact.counts)
        total.to_decision.counts.update(m.to_decision.counts)
        total.to_loan.counts.update(m.to_loan.counts)
    return total


@dataclass
class Weighted:
    """Rates weighted by amount, and the mix of the loans granted."""

    need: Decimal  # financing need of the enterprises with one that were answered
    credit: Decimal  # credit granted to them
    loans: Decimal
    rate_weight: Decimal  # sum of rate x loan amount, over loans with a rate
    rated_loans: Decimal
    granted: int
    first_time: int
    credit_loans: int  # granted with a credit (unsecured) loan, by the latest visit
    renewals: int  # granted as a renewal, by the latest visit

    @property
    def granted_share_of_need(self) -> Decimal | None:
        """Credit granted per yuan of need (not the share of enterprises granted)."""
        return (self.credit / self.need).quantize(Decimal("0.0001")) if self.need else None

    @property
    def weighted_rate(self) -> Decimal | None:
        """The loans' rate weighted by their amounts."""
        if not self.rated_loans:
            return None
        return (self.rate_weight / self.rated_loans).quantize(Decimal("0.01"))


def weighted(
    enterprises: QuerySet[TaskEnterprise], total: rollup.Figures | None = None
) -> Weighted:
    """The weighted rates and the loans' mix of ``enterprises`` (already scoped), from their
    roll-up ``total`` when the caller has it (one scan fewer) and the granting visits."""
    sums = total or rollup.total(enterprises)
    latest = _latest_visits(enterprises.filter(rollup.GRANTED))
    return Weighted(
        need=Decimal(sums.need),
        credit=Decimal(sums.credit_of_need),
        loans=Decimal(sums.loans),
        rate_weight=Decimal(sums.rate_weight),
        rated_loans=Decimal(sums.rated_loans),
        granted=sums.granted,
        first_time=sums.first_time,
        credit_loans=sum(1 for credit, _renewal in latest if credit),
        renewals=sum(1 for _credit, renewal in latest if renewal),
    )


def _latest_visits(granted: QuerySet[TaskEnterprise]) -> list[tuple[bool | None, bool | None]]:
    """(credit loan, renewal) of each granted enterprise's latest granting visit."""
    rows = (
        Visit.objects.filter(
            enterprise__in=granted.values("pk"),
            assignment=F("enterprise__assignment"),
            decision=Decision.GRANTED,
        )
        .order_by("enterprise_id", "visited_at", "pk")
        .values_list("enterprise_id", "credit_loan", "renewal")
    )
    latest: dict[int, tuple[bool | None, bool | None]] = defaultdict(lambda: (None, None))
    for enterprise, credit, renewal in rows.iterator(chunk_size=5000):
        latest[enterprise] = (credit, renewal)
    return list(latest.values())
