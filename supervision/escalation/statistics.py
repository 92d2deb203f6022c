"""Figures of escalation cases: by cause, by level reached and by time to close, for any set of
cases (a user's visible cases, or an office's subtree for the dashboards)."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet

from portal import scoping
from portal.models import Branch, Institution, Office, OfficeLevel
from supervision.escalation.models import Case, CaseCause, CaseStatus, CauseKind

CLOSED = Q(status=CaseStatus.CLOSED)
TIME_TO_CLOSE = ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=DurationField())
# Bands of days from opening to closing: (label, first day, last day or None).
CLOSE_BANDS = (("0-15", 0, 15), ("16-30", 16, 30), ("31-60", 31, 60), ("61+", 61, None))
NOTHING = {"cases": 0, "closed": 0, "average": None}


@dataclass(frozen=True)
class CauseRow:
    kind: str
    label: str
    cases: int  # cases this kind raised
    open: int
    closed: int
    average_days_to_close: float | None
    causes_joined: int  # causes of this kind in any case, the first or a later one


@dataclass(frozen=True)
class LevelRow:
    level: int
    label: str
    cases: int
    open: int
    closed: int


@dataclass(frozen=True)
class CaseFigures:
    total: int
    open: int
    closed: int
    escalated: int  # cases that climbed at least once
    average_days_to_close: float | None
    longest_days_to_close: float | None
    by_cause: list[CauseRow] = field(default_factory=list)
    by_level: list[LevelRow] = field(default_factory=list)
    close_bands: list[tuple[str, int]] = field(default_factory=list)


def _days(duration: timedelta | None) -> float | None:
    return round(duration.total_seconds() / 86400, 1) if duration is not None else None


def _band(first: int, last: int | None) -> Q:
    """Cases closed from ``first`` days after opening up to ``last`` days (open-ended if None)."""
    after = Q(closed_at__gte=F("opened_at") + timedelta(days=first))
    if last is None:
        return after
    return after & Q(closed_at__lt=F("opened_at") + timedelta(days=last + 1))


def in_subtree(office: Office) -> QuerySet:
    """The cases sitting at ``office`` or below it (cases that climbed above it are not)."""
    return Case.objects.filter(office__path__startswith=office.path)


def seen_in_subtree(
    user: object,
    office: Office,
    institution: Institution | None = None,
    branch: Branch | None = None,
) -> QuerySet:
    """The cases sitting in ``office``'s subtree that ``user`` may see, narrowed to one
    institution or branch when given (a dashboard's subject)."""
    cases = in_subtree(office).filter(pk__in=scoping.visible(user, Case).values("pk"))
    if institution is not None:
        cases = cases.filter(institution=institution)
    if branch is not None:
        cases = cases.filter(branch=branch)
    return cases


def opened_between(cases: QuerySet, start: date | None, end: date | None) -> QuerySet:
    if start:
        cases = cases.filter(opened_at__date__gte=start)
    if end:
        cases = cases.filter(opened_at__date__lte=end)
    return cases


def figures(cases: QuerySet) -> CaseFigures:
    """The figures of ``cases`` in a handful of aggregate queries, whatever their number."""
    cases = cases.order_by()
    totals = cases.aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=CLOSED),
        escalated=Count("pk", filter=Q(escalations__gt=0)),
        average=Avg(TIME_TO_CLOSE, filter=CLOSED),
        longest=Max(TIME_TO_CLOSE, filter=CLOSED),
    )
    per_kind = {
        row["kind"]: row
        for row in cases.values("kind").annotate(
            cases=Count("pk"), closed=Count("pk", filter=CLOSED), average=Avg(TIME_TO_CLOSE)
        )
    }
    joined = dict(
        CaseCause.objects.filter(case__in=cases.values("pk"))
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    by_cause = [
        CauseRow(
            kind=kind,
            label=str(label),
            cases=row["cases"],
            open=row["cases"] - row["closed"],
            closed=row["closed"],
            average_days_to_close=_days(row["average"]),
            causes_joined=joined.get(kind, 0),
        )
        for kind, label in CauseKind.choices
        for row in [per_kind.get(kind, NOTHING)]
    ]
    per_level = {
        row["level"]: row
        for row in cases.values("level").annotate(
            cases=Count("pk"), closed=Count("pk", filter=CLOSED)
        )
    }
    by_level = [
        LevelRow(
            level=level,
            label=str(label),
            cases=row["cases"],
            open=row["cases"] - row["closed"],
            closed=row["closed"],
        )
        for level, label in sorted(OfficeLevel.choices, reverse=True)
        for row in [per_level.get(level, NOTHING)]
    ]
    bands = cases.filter(CLOSED).aggregate(
        **{
            f"band{i}": Count("pk", filter=_band(first, last))
            for i, (_n, first, last) in enumerate(CLOSE_BANDS)
        }
    )
    return CaseFigures(
        total=totals["total"],
        open=totals["total"] - totals["closed"],
        closed=totals["closed"],
        escalated=totals["escalated"],
        average_days_to_close=_days(totals["average"]),
        longest_days_to_close=_days(totals["longest"]),
        by_cause=by_cause,
        by_level=by_level,
        close_bands=[(name, bands[f"band{i}"]) for i, (name, _f, _l) in enumerate(CLOSE_BANDS)],
    )
