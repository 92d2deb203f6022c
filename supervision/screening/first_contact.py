"""Overdue first contacts as a cause for escalation ("screening-contact-overdue"): the 2025
notice asks that the lists reach the banks and the banks reach the enterprises quickly. An
assignment whose enterprises were pushed more than ``PORTAL_SCREENING_CONTACT_DAYS`` (7) days
ago and have had no contact yet (no visit, no contact date in a result return) is a cause;
its measure is how many, which escalation compares with the rule's threshold (rule data, like
the other causes: ``supervision/escalation/rules.py``)."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from supervision import causes
from supervision.screening.models import Assignment, TaskEnterprise

CAUSE_KIND = "screening-contact-overdue"


def contact_days() -> int:
    return settings.PORTAL_SCREENING_CONTACT_DAYS


def uncontacted(as_of: datetime) -> dict[int, int]:
    """Assignment id -> how many of the enterprises it holds were pushed to it more than the
    allowed days before ``as_of`` and are not contacted yet."""
    cutoff = as_of - timedelta(days=contact_days())
    rows = (
        TaskEnterprise.objects.filter(
            assignment__isnull=False,
            contact_date__isnull=True,
            decision="",
            pushed_at__lt=cutoff,
        )
        .values("assignment_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["assignment_id"]: row["n"] for row in rows}


@causes.provider(CAUSE_KIND)
def contact_overdue_causes(as_of: datetime) -> Iterator[causes.Cause]:
    counts = uncontacted(as_of)
    assignments = Assignment.objects.filter(pk__in=list(counts)).select_related(
        "task", "institution", "branch"
    )
    for assignment in assignments.order_by("pk").iterator(chunk_size=1000):
        count = counts[assignment.pk]
        with translation.override(settings.LANGUAGE_CODE):
            summary = _(
                "%(bank)s has not contacted %(count)s enterprises of screening task %(task)s "
                "within %(days)s days of their push"
            ) % {
                "bank": assignment.filer_name,
                "count": count,
                "task": assignment.task.title,
                "days": contact_days(),
            }
        yield causes.Cause(
            kind=CAUSE_KIND,
            key=f"{assignment.source_ref}:contact",
            institution_id=assignment.institution_id,
            branch_id=assignment.branch_id,
            office_id=assignment.office_id,
            measure=Decimal(count),
            summary=summary,
            evidence_url=reverse("screening-assignment", args=[assignment.pk]),
            occurred_on=timezone.localdate(as_of),
            details={"task": assignment.task_id, "enterprises": count},
        )
