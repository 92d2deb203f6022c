"""Claiming a queued piece of work for a worker: a screening job, a dashboard export, a
scoring run. Each is a row with a state and a ``started_at``; the Celery task only claims it
and runs it. The claim is taken under the row's lock, so that a task delivered twice (acks
late, a retry) runs once; a row left running longer than ``stuck_after`` lost its worker and
may be claimed again."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

QUEUED, RUNNING = "queued", "running"


def claim(
    rows: QuerySet, pk: int, stuck_after: timedelta, *, state_field: str = "state"
) -> Model | None:
    """Row ``pk`` of ``rows`` marked running, if it was queued or stuck; else None."""
    now = timezone.now()
    claimable = Q(**{state_field: QUEUED}) | Q(
        **{state_field: RUNNING, "started_at__lt": now - stuck_after}
    )
    with transaction.atomic():
        row = rows.select_for_update(of=("self",)).filter(claimable, pk=pk).first()
        if row is None:
            return None
        setattr(row, state_field, RUNNING)
        row.started_at = now
        row.save(update_fields=[state_field, "started_at"])
    return row
