"""Complaint figures per institution and per office, for the statistics page, its export,
the dashboards and the evaluation: how many, of which category, how fast and how well answered.

Every figure counts complaints filed in a period ``[start, end)`` (local dates). Callers pass a
queryset already scoped to the reader (``portal.scoping.visible``) or one of the helpers below
for a whole office subtree or institution. No owner's personal data is read.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from portal.models import Institution, InstitutionKind, Office
from reporting.workbooks import in_both_languages
from supervision.complaints.clock import local_day
from supervision.complaints.models import Category, Complaint, ComplaintStatus


def category_label(category: str) -> str:
    """A category's name in the active language (for a chart's axis)."""
    return str(Category(category).label)


# How rows are grouped: the column, and the model and field that name a group's key.
GROUPS: dict[str, tuple[str, type[Institution] | type[Office], str]] = {
    "institution": ("institution_id", Institution, "pk"),
    "office": ("office_id", Office, "pk"),
    # The office subtree a complaint falls in (see ``by_child_office``).
    "subtree": ("subtree", Office, "path"),
}
# Groups named by a choice's label: the column and its choices.
LABELLED: dict[str, tuple[str, type[InstitutionKind] | type[Category]]] = {
    "kind": ("institution__kind", InstitutionKind),
    "category": ("category", Category),
}


def _names(by: str, keys: list) -> dict:
    """Each group key's (key shown, Chinese name, English name)."""
    if by in LABELLED:
        choices = LABELLED[by][1]
        return {k: (k, *in_both_languages(choices(k).label)) for k in keys}
    _column, model, field_name = GROUPS[by]
    return {
        getattr(named, field_name): (named.pk, named.name_zh, named.name_en or named.name_zh)
        for named in model.objects.filter(**{f"{field_name}__in": keys})
    }


@dataclass
class ComplaintFigures:
    """One institution's or office's complaints in a period."""

    key: int | None
    name_zh: str
    name_en: str
    total: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    answered: int = 0
    answered_on_time: int = 0
    resolved_at_first_answer: int = 0
    reopened: int = 0
    substantive: int = 0
    overdue_unanswered: int = 0
    # The owners' ratings of closed complaints (1-5) and whether the problem was solved.
    rated: int = 0
    rating_sum: int = 0
    satisfied: int = 0
    solved: int = 0
    response_days: list[float] = field(default_factory=list, repr=False)

    @property
    def mean_rating(self) -> Decimal | None:
        """Mean of the owners' ratings, 1 to 5."""
        if not self.rated:
            return None
        return (Decimal(self.rating_sum) / Decimal(self.rated)).quantize(Decimal("0.01"))

    @property
    def satisfied_share(self) -> Decimal | None:
        """Share of ratings at 4 or 5."""
        return _share(self.satisfied, self.rated)

    @property
    def solved_share(self) -> Decimal | None:
        """Share of rating owners who said their problem was solved."""
        return _share(self.solved, self.rated)

    @property
    def reopen_share(self) -> Decimal | None:
        """Share of answered complaints the owner reopened at least once."""
        return _share(self.reopened, self.answered)

    @property
    def mean_response_days(self) -> Decimal | None:
        """Mean calendar days from filing to the first answer."""
        if not self.response_days:
            return None
        mean = sum(self.response_days) / len(self.response_days)
        return Decimal(str(round(mean, 1)))

    @property
    def on_time_share(self) -> Decimal | None:
        return _share(self.answered_on_time, self.answered)

    @property
    def first_answer_share(self) -> Decimal | None:
        """Share of answered complaints the owner accepted without reopening them."""
        return _share(self.resolved_at_first_answer, self.answered)


def _share(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.001")) if whole else None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end, time.min, tzinfo=zone),
    )


def in_period(qs: QuerySet, start: date, end: date) -> QuerySet:
    since, until = _bounds(start, end)
    return qs.filter(filed_at__gte=since, filed_at__lt=until)


def figures(
    complaints: QuerySet, start: date, end: date, by: str = "institution"
) -> list[ComplaintFigures]:
    """Figures grouped ``by`` institution, office (the complaint's supervising office) or,
    for a queryset annotated with ``subtree``, office subtree."""
    key = LABELLED[by][0] if by in LABELLED else GROUPS[by][0]
    qs = in_period(complaints, start, end)
    today = local_day()
    rows = (
        qs.values(key)
        .annotate(
            total=Count("pk"),
            answered=Count("pk", filter=Q(first_answered_at__isnull=False)),
            on_time=Count("pk", filter=Q(first_answered_at__isnull=False, answered_late=False)),
            first=Count("pk", filter=Q(status=ComplaintStatus.ACCEPTED, reopen_count=0)),
            reopened=Count("pk", filter=Q(reopen_count__gt=0)),
            substantive=Count("pk", filter=Q(substantive=True)),
            overdue=Count(
                "pk",
                filter=Q(
                    first_answered_at__isnull=True,
                    due_on__lt=today,
                    status__in=[*ComplaintStatus.awaiting_answer(), ComplaintStatus.AT_OFFICE],
                ),
            ),
            rated=Count("rating"),
            rating_sum=Coalesce(Sum("rating"), 0),
            satisfied=Count("pk", filter=Q(rating__gte=4)),
            solved=Count("pk", filter=Q(rating__isnull=False, solved=True)),
        )
        .order_by()
    )
    rows = list(rows)
    names = _names(by, [r[key] for r in rows])
    result = {
        row[key]: ComplaintFigures(
            key=names[row[key]][0],
            name_zh=names[row[key]][1],
            name_en=names[row[key]][2],
            total=row["total"],
            answered=row["answered"],
            answered_on_time=row["on_time"],
            resolved_at_first_answer=row["first"],
            reopened=row["reopened"],
            substantive=row["substantive"],
            overdue_unanswered=row["overdue"],
            rated=row["rated"],
            rating_sum=row["rating_sum"],
            satisfied=row["satisfied"],
            solved=row["solved"],
            by_category={c: 0 for c in Category.values},
        )
        for row in sorted(rows, key=lambda r: names[r[key]][1])
    }
    for row in qs.values(key, "category").annotate(n=Count("pk")).order_by():
        result[row[key]].by_category[row["category"]] = row["n"]
    answered = qs.filter(first_answered_at__isnull=False).values_list(
        key, "filed_at", "first_answered_at"
    )
    for group, filed, first in answered:
        result[group].response_days.append((first - filed) / timedelta(days=1))
    return list(result.values())


def total(rows: list[ComplaintFigures], name_zh: str = "合计", name_en: str = "Total"):
    """The rows added up into one."""
    out = ComplaintFigures(None, name_zh, name_en, by_category=defaultdict(int))
    for row in rows:
        for attr in (
            "total",
            "answered",
            "answered_on_time",
            "resolved_at_first_answer",
            "reopened",
            "substantive",
            "overdue_unanswered",
            "rated",
            "rating_sum",
            "satisfied",
            "solved",
        ):
            setattr(out, attr, getattr(out, attr) + getattr(row, attr))
        for category, n in row.by_category.items():
            out.by_category[category] += n
        out.response_days.extend(row.response_days)
    out.by_category = {c: out.by_category.get(c, 0) for c in Category.values}
    return out


def for_office(office: Office, start: date, end: date) -> ComplaintFigures:
    """Everything against branches under ``office`` (its whole subtree), as one row."""
    qs = Complaint.objects.filter(office__path__startswith=office.path)
    return total(figures(qs, start, end), office.name_zh, office.name_en)


def by_institution_under(office: Office, start: date, end: date) -> list[ComplaintFigures]:
    """One row per institution with complaints under ``office``'s subtree."""
    return figures(Complaint.objects.filter(office__path__startswith=office.path), start, end)


def by_child_office(complaints: QuerySet, office: Office, start: date, end: date):
    """One row per child office of ``office`` with everything in its subtree, and one for
    the complaints at ``office`` itself."""
    subtree = Substr("office__path", 1, len(office.path) + office.steplen)
    qs = complaints.filter(office__path__startswith=office.path).annotate(subtree=subtree)
    return figures(qs, start, end, by="subtree")


def for_institution(institution: Institution, start: date, end: date) -> ComplaintFigures:
    rows = figures(Complaint.objects.filter(institution=institution), start, end)
    return (
        rows[0]
        if rows
        else ComplaintFigures(
            institution.pk,
            institution.name_zh,
            institution.name_en,
            by_category={c: 0 for c in Category.values},
        )
    )


def nationwide(start: date, end: date, by: str) -> list[ComplaintFigures]:
    """Every complaint in the period, grouped ``by`` institution kind or category, or by
    province (each child office of the root with its subtree): the public statistics."""
    everything = Complaint.objects.all()
    if by != "province":
        return figures(everything, start, end, by=by)
    root = Office.objects.filter(depth=1).order_by("path").first()
    return by_child_office(everything, root, start, end) if root is not None else []


def categories() -> list[tuple[str, Any]]:
    """The categories (value, label), for readers outside complaints."""
    return Category.choices
