"""Deadlines of screening assignments: what is overdue, the reminders beat sends before and
after the due date (timers kept in the assignment's own columns, so a sweep run twice sends
nothing twice), and overdue work as a cause for escalation ("screening-overdue")."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from portal import scoping
from portal.notifications import institution_staff, notify, office_staff
from portal.worklist import Waiting
from reporting.models import Filing, FilingStatus
from supervision import causes
from supervision.screening.models import Assignment, TaskEnterprise
from supervision.screening.visits.models import Visit

CAUSE_KIND = "screening-overdue"


def with_filing_state(assignments: QuerySet) -> QuerySet:
    """Assignments annotated ``is_filed``: their result return was signed (or accepted)."""
    signed = Filing.objects.filter(
        request=OuterRef("request_id"),
        check_only=False,
        status__in=(FilingStatus.SUBMITTED, FilingStatus.ACCEPTED),
    )
    return assignments.annotate(is_filed=Exists(signed))


def answered_by_visits(assignments: QuerySet) -> QuerySet:
    """Assignments whose every enterprise has an answer and that were visited: results
    recorded from visits need no workbook."""
    visited = Visit.objects.filter(assignment=OuterRef("pk"))
    open_ones = TaskEnterprise.objects.filter(assignment=OuterRef("pk"), decision="")
    return assignments.filter(Exists(visited)).exclude(Exists(open_ones))


def unfiled(assignments: QuerySet) -> QuerySet:
    """Assignments whose results were neither filed (signed) nor all recorded from visits."""
    filed = with_filing_state(assignments).filter(is_filed=False)
    return filed.exclude(pk__in=answered_by_visits(Assignment.objects.all()).values("pk"))


def overdue(assignments: QuerySet, today: date) -> QuerySet:
    """Assignments past their due date whose results have not been filed."""
    return unfiled(assignments.filter(due_date__lt=today))


def overdue_assignments(assignments: QuerySet, today: date) -> QuerySet:
    """Overdue assignments by office and bank, with the enterprises each still holds."""
    return (
        overdue(assignments, today)
        .select_related("task", "office", "institution", "branch")
        .annotate(enterprise_count=Count("enterprises"))
        .order_by("office__path", "institution__name_zh", "branch__name_zh", "pk")
    )


def days_overdue(assignment: Assignment, today: date) -> int:
    return max(0, (today - assignment.due_date).days)


# -- the sweep -----------------------------------------------------------------------------


def _claim(assignment: Assignment, column: str, now: datetime) -> bool:
    """Set the timer column if no other sweep has: only the sweep that sets it sends."""
    return bool(
        Assignment.objects.filter(pk=assignment.pk, **{column: None}).update(**{column: now})
    )


def _request_url(assignment: Assignment) -> str:
    return reverse("request-detail", args=[assignment.request_id])


def sweep(now: datetime | None = None) -> tuple[int, int]:
    """Remind banks of results due within ``PORTAL_SCREENING_REMINDER_DAYS``, and tell banks
    and assigning offices of overdue ones; each once. Returns (reminded, overdue)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    soon = today + timedelta(days=settings.PORTAL_SCREENING_REMINDER_DAYS)
    due_soon = unfiled(
        Assignment.objects.filter(reminded_at=None, due_date__gte=today, due_date__lte=soon)
    ).select_related("task", "institution", "branch")
    reminded = 0
    for assignment in due_soon:
        with transaction.atomic(durable=True):
            if not _claim(assignment, "reminded_at", now):
                continue
            notify(
                institution_staff(assignment.institution, assignment.branch),
                message=gettext_noop("Screening task %(task)s: your results are due on %(due)s"),
                params={"task": assignment.task.title, "due": assignment.due_date.isoformat()},
                url=_request_url(assignment),
                target=assignment,
            )
            reminded += 1
    late = overdue(Assignment.objects.filter(overdue_notified_at=None), today).select_related(
        "task", "office", "institution", "branch"
    )
    noticed = 0
    for assignment in late:
        with transaction.atomic(durable=True):
            if not _claim(assignment, "overdue_notified_at", now):
                continue
            params = {
                "task": assignment.task.title,
                "bank": assignment.filer_name,
                "due": assignment.due_date.isoformat(),
            }
            message = gettext_noop(
                "Screening task %(task)s: the results of %(bank)s were due on %(due)s"
            )
            notify(
                institution_staff(assignment.institution, assignment.branch),
                message=message,
                params=params,
                url=_request_url(assignment),
                target=assignment,
            )
            notify(
                office_staff(assignment.office),
                message=message,
                params=params,
                url=reverse("screening-overdue"),
                target=assignment,
            )
            found = [_cause(assignment, today)]
            transaction.on_commit(partial(causes.cause_found.send, Assignment, causes=found))
            noticed += 1
    return reminded, noticed


# -- escalation ----------------------------------------------------------------------------


def _cause(assignment: Assignment, today: date) -> causes.Cause:
    days = days_overdue(assignment, today)
    with translation.override(settings.LANGUAGE_CODE):
        summary = _(
            "%(bank)s has not filed the results of screening task %(task)s, %(days)s days overdue"
        ) % {
            "bank": assignment.filer_name,
            "task": assignment.task.title,
            "days": days,
        }
    return causes.Cause(
        kind=CAUSE_KIND,
        key=assignment.source_ref,
        institution_id=assignment.institution_id,
        branch_id=assignment.branch_id,
        office_id=assignment.office_id,
        measure=Decimal(days),
        summary=summary,
        evidence_url=reverse("screening-assignment", args=[assignment.pk]),
        occurred_on=assignment.due_date,
        details={"task": assignment.task_id, "due_date": assignment.due_date.isoformat()},
    )


@causes.provider(CAUSE_KIND)
def overdue_causes(as_of: datetime) -> Iterator[causes.Cause]:
    """Every assignment overdue at ``as_of``; measure: the days overdue."""
    today = timezone.localdate(as_of)
    for assignment in (
        overdue(Assignment.objects.all(), today)
        .select_related("task", "institution", "branch")
        .order_by("pk")
        .iterator(chunk_size=1000)
    ):
        yield _cause(assignment, today)


def waiting(user) -> list[Waiting]:
    """Assignments past their due date (offices); assignments to file results for (banks)."""
    scope = scoping.scope_of(user)
    assignments = scoping.visible(user, Assignment)
    items = []
    if scope.is_regulator:
        late = overdue(assignments, timezone.localdate())
        items.append(
            Waiting(
                late.count(),
                gettext_lazy("Screening assignments overdue"),
                reverse("screening-overdue"),
            )
        )
    if scope.is_bank:
        items.append(
            Waiting(
                unfiled(assignments).count(),
                gettext_lazy("Screening assignments awaiting your results"),
                reverse("screening-tasks"),
            )
        )
    return items
