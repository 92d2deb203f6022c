"""Escalation's timers: beat runs the sweep (see ``supervision.climbing``)."""

from celery import shared_task
from django.db import OperationalError

from supervision.escalation import climbing


@shared_task(
    name="supervision.tasks.escalation.sweep_escalations",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def sweep_escalations() -> None:
    climbing.sweep()
