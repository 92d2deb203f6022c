"""Screening results rolled up the tree: per task and per office, how many enterprises were
visited, had a need, were granted credit, how much, at what average rate, how many were
first-time borrowers and how many were declined and why.

The figures are one aggregate query over the enterprises under an office (a prefix of the
holding office's path), grouped by the child office they sit under. Each figure is a count
or a sum, so a province's figures are its own plus its sub-bureaus', exactly; the average
rate is kept as its sum and count and divided only for display.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db import connection
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Substr

from portal.models import Office
from supervision.screening.models import Decision, EnterpriseCount, ScreeningTask, TaskEnterprise

VISITED = (Decision.GRANTED, Decision.DECLINED, Decision.PENDING, Decision.NO_NEED)
WITH_NEED = (Decision.GRANTED, Decision.DECLINED, Decision.PENDING)
GRANTED = Q(decision=Decision.GRANTED)
RATED = GRANTED & Q(rate__isnull=False)
RATE_X_LOAN = ExpressionWrapper(
    F("rate") * F("loan_amount"), output_field=DecimalField(max_digits=24, decimal_places=4)
)

FIGURES = {
    "enterprises": Count("pk"),
    "assigned": Count("pk", filter=Q(assignment__isnull=False)),
    "visited": Count("pk", filter=Q(decision__in=VISITED)),
    "with_need": Count("pk", filter=Q(decision__in=WITH_NEED)),
    "granted": Count("pk", filter=GRANTED),
    "credit": Sum("credit_amount", filter=GRANTED),
    "loans": Sum("loan_amount", filter=GRANTED),
    "rate_sum": Sum("rate", filter=GRANTED),
    "rated": Count("rate", filter=GRANTED),
    "first_time": Count("pk", filter=GRANTED & Q(first_time=True)),
    "declined": Count("pk", filter=Q(decision=Decision.DECLINED)),
    "pending": Count("pk", filter=Q(decision=Decision.PENDING)),
    "no_need": Count("pk", filter=Q(decision=Decision.NO_NEED)),
    "unreachable": Count("pk", filter=Q(decision=Decision.UNREACHABLE)),
    # For the rates weighted by amount (``outcomes.weighted``): the financing need of the
    # answered enterprises stating one, the credit granted to those, and the loans with a rate.
    "need": Sum("need_amount", filter=Q(decision__in=WITH_NEED, need_amount__gt=0)),
    "credit_of_need": Sum("credit_amount", filter=GRANTED & Q(need_amount__gt=0)),
    "rate_weight": Sum(RATE_X_LOAN, filter=RATED),
    "rated_loans": Sum("loan_amount", filter=RATED),
}
ADDITIVE = tuple(FIGURES)
# The kept counts' sums (EnterpriseCount) and which of them count for granted enterprises only.
GRANTED_SUMS = (
    "first_time",
    "credit",
    "loans",
    "rate_sum",
    "rated",
    "rate_weight",
    "rated_loans",
    "credit_of_need",
)
KEPT_SUMS = ("enterprises", "need", *GRANTED_SUMS)
DECISION_COUNTS = {"granted", "declined", "pending", "no_need", "unreachable"}


@dataclass
class Figures:
    """One row of a roll-up: the office it is for (None: the enterprises held at the office
    itself, not delegated) and its figures."""

    office: Office | None
    enterprises: int = 0
    assigned: int = 0
    visited: int = 0
    with_need: int = 0
    granted: int = 0
    credit: Decimal = Decimal(0)
    loans: Decimal = Decimal(0)
    rate_sum: Decimal = Decimal(0)
    rated: int = 0
    first_time: int = 0
    declined: int = 0
    pending: int = 0
    no_need: int = 0
    unreachable: int = 0
    need: Decimal = Decimal(0)
    credit_of_need: Decimal = Decimal(0)
    rate_weight: Decimal = Decimal(0)
    rated_loans: Decimal = Decimal(0)

    @classmethod
    def of(cls, office: Office | None, values: dict) -> "Figures":
        # The aggregates' counts and sums; an empty Sum (None) is taken as 0.
        figures: dict[str, Any] = {k: values.get(k) or 0 for k in ADDITIVE}
        return cls(office, **figures)

    @property
    def average_rate(self) -> Decimal | None:
        if not self.rated:
            return None
        return (Decimal(self.rate_sum) / self.rated).quantize(Decimal("0.01"))

    @property
    def unassigned(self) -> int:
        return self.enterprises - self.assigned

    @property
    def unanswered(self) -> int:
        """Assigned, and no answer from the bank yet."""
        answered = self.granted + self.declined + self.pending + self.no_need + self.unreachable
        return self.assigned - answered

    def count_in(self, state: str) -> int:
        """How many are in a state of the enterprise list's filter (see the task page):
        not assigned, assigned and unanswered, or a decision."""
        if state == "assigned":
            return self.unanswered
        return getattr(self, state)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ADDITIVE}


@dataclass
class Rollup:
    office: Office
    rows: list[Figures]  # each child office with a share, then the office's own holding
    total: Figures
    declined_by_reason: list[tuple[str, int]]
    groups: list[dict]  # the aggregate's rows, each with its figures (see ``also``)


def enterprises_under(enterprises: QuerySet, office: Office) -> QuerySet:
    return enterprises.filter(holder_path__startswith=office.path)


def rollup(enterprises: QuerySet, office: Office, also: dict[str, Any] | None = None) -> Rollup:
    """The figures of ``enterprises`` (already scoped, e.g. one task's) under ``office``, by
    child office, and the declines by reason: one aggregate query, grouped by the child office's
    path and the decline reason; the handful of groups are then added up. ``also``: more
    annotations to group by in the same scan (``outcomes.push_groups``), kept in ``groups``."""
    part = Substr("holder_path", 1, len(office.path) + Office.steplen)
    extra = also or {}
    groups = list(
        enterprises_under(enterprises, office)
        .annotate(part=part, **extra)
        .values("part", "decline_reason", *extra)
        .annotate(**FIGURES)
        .order_by()  # hashed, not sorted: the groups are put in order below
    )
    return _added(office, groups)


def kept(task: ScreeningTask, office: Office) -> Rollup:
    """``rollup`` of every enterprise of ``task`` under ``office``, from the counts the
    database keeps per holding office, decision and reason (``EnterpriseCount``): a few
    thousand rows for a national task of millions. Where no counts are kept (not PostgreSQL),
    the enterprises are scanned."""
    if connection.vendor != "postgresql":
        return rollup(TaskEnterprise.objects.filter(task=task), office)
    part = Substr("holder_path", 1, len(office.path) + Office.steplen)
    sums = {f"sum_{name}": Sum(name) for name in KEPT_SUMS}
    counts = (
        EnterpriseCount.objects.filter(task=task, holder_path__startswith=office.path)
        .annotate(part=part)
        .values("part", "decision", "decline_reason", "assigned")
        .annotate(**sums)
        .order_by()
    )
    # The sums' names are not in the stubs' row type.
    rows = cast(Iterable[dict[str, Any]], counts)
    # A group whose enterprises have all moved on is kept at zero: left out, as a scan would.
    return _added(office, [_figures_of(row) for row in rows if row["sum_enterprises"]])


def _figures_of(row: dict) -> dict:
    """A group of kept counts (one decision) as the aggregate's figures (``FIGURES``)."""
    n, decision = row["sum_enterprises"], row["decision"]
    granted = decision == Decision.GRANTED
    figures = {
        "part": row["part"],
        "decline_reason": row["decline_reason"],
        "enterprises": n,
        "assigned": n if row["assigned"] else 0,
        "visited": n if decision in VISITED else 0,
        "with_need": n if decision in WITH_NEED else 0,
        "need": row["sum_need"] if decision in WITH_NEED else 0,
        **{state: n if decision == state else 0 for state in DECISION_COUNTS},
    }
    # The figures of granted enterprises only (the aggregate's GRANTED and RATED filters).
    for name in GRANTED_SUMS:
        figures[name] = row[f"sum_{name}"] if granted else 0
    return figures


def _added(office: Office, groups: list[dict]) -> Rollup:
    """The groups (each with a ``part``: the child office's path) added up by child office and
    by decline reason."""
    by_part: dict[str, dict] = {}
    by_reason: dict[str, int] = {}
    for group in groups:
        path, reason = group["part"], group["decline_reason"]
        totals = by_part.setdefault(path, dict.fromkeys(ADDITIVE, 0))
        for figure in ADDITIVE:
            totals[figure] += group[figure] or 0
        if group["declined"]:
            by_reason[reason] = by_reason.get(reason, 0) + group["declined"]
    by_part = dict(sorted(by_part.items()))
    children = {o.path: o for o in Office.objects.filter(path__in=list(by_part))}
    rows = [
        Figures.of(children[p], v) for p, v in by_part.items() if p in children and p != office.path
    ]
    if office.path in by_part:
        rows.append(Figures.of(None, by_part[office.path]))
    total = {k: sum(v[k] for v in by_part.values()) for k in ADDITIVE}
    reasons = sorted(by_reason.items(), key=lambda item: (-item[1], item[0]))
    return Rollup(office, rows, Figures.of(office, total), reasons, groups)


def total(enterprises: QuerySet) -> Figures:
    """The figures of ``enterprises`` (already scoped) together: one aggregate."""
    return Figures.of(None, enterprises.aggregate(**FIGURES))


def per_task(enterprises: QuerySet, tasks: list[ScreeningTask]) -> dict[int, Figures]:
    """Task id -> the figures of ``enterprises`` (scoped to a reader) in each of ``tasks``."""
    rows = enterprises.filter(task__in=tasks).values("task_id").annotate(**FIGURES).order_by()
    return {row.pop("task_id"): Figures.of(None, row) for row in rows}
