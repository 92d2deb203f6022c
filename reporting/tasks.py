"""Celery tasks: thin wrappers; the work is in ``pipeline``, ``schedule`` and ``retention``."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from reporting import pipeline, retention, schedule, watchdog


@shared_task(
    name="reporting.tasks.validate_filing",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def validate_filing(filing_id: int) -> None:
    pipeline.run(filing_id)


@shared_task(name="reporting.tasks.requeue_stuck_filings")
def requeue_stuck_filings() -> None:
    watchdog.requeue_stuck(settings.PORTAL_STUCK_FILING_SECONDS)


@shared_task(name="reporting.tasks.open_periodic_requests")
def open_periodic_requests() -> None:
    schedule.open_periodic_requests()
    schedule.close_lapsed_requests()


@shared_task(name="reporting.tasks.remove_expired_files")
def remove_expired_files() -> None:
    retention.remove_expired_files()
