"""Overdue returns as a cause for escalation: the provider of kind "return-overdue".

It reads reporting's requests and filings, never writes them: a request past its due date
with no signed (submitted or accepted) filing is a cause, measured in days overdue.
"""

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from reporting.models import Filing, FilingStatus, ReturnRequest
from supervision import causes
from supervision.causes import Cause
from supervision.escalation.models import CauseKind

SIGNED = (FilingStatus.SUBMITTED, FilingStatus.ACCEPTED)


def unfiled_past_due(as_of: datetime):
    """Requests of active filers due before ``as_of``'s day and still without a signed filing."""
    signed = Filing.objects.filter(request=OuterRef("pk"), check_only=False, status__in=SIGNED)
    return (
        ReturnRequest.objects.filter(
            due_date__lt=timezone.localdate(as_of), institution__is_active=True
        )
        .exclude(Exists(signed))
        .select_related("institution", "branch")
        .order_by("pk")
    )


@causes.provider(CauseKind.RETURN_OVERDUE)
def overdue_returns(as_of: datetime) -> Iterator[Cause]:
    today = timezone.localdate(as_of)
    for request in unfiled_past_due(as_of).iterator(chunk_size=2000):
        days = (today - request.due_date).days
        yield Cause(
            kind=CauseKind.RETURN_OVERDUE,
            key=f"return-request:{request.pk}:overdue",
            institution_id=request.institution_id,
            office_id=request.office_id,
            branch_id=request.branch_id,
            measure=Decimal(days),
            summary=(f"{request.spec_code} {request.period} 逾期 {days} 天 / {days} days overdue"),
            evidence_url=reverse("request-detail", args=[request.pk]),
            occurred_on=request.due_date,
            details={"due_date": request.due_date.isoformat(), "days": days},
        )
