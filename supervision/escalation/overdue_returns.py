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
    for return_request in unfiled_past_due(as_of).iterator(chunk_size=2000):
        days = (today - return_request.due_date).days
        yield Cause(
            kind=CauseKind.RETURN_OVERDUE,
            key=f"return-request:{return_request.pk}:overdue",
            institution_id=return_request.institution_id,
            office_id=return_request.office_id,
            branch_id=return_request.branch_id,
            measure=Decimal(days),
            summary=(
                f"{return_request.spec_code} {return_request.period} "
                f"逾期 {days} 天 / {days} days overdue"
            ),
            evidence_url=reverse("request-detail", args=[return_request.pk]),
            occurred_on=return_request.due_date,
            details={"due_date": return_request.due_date.isoformat(), "days": days},
        )
