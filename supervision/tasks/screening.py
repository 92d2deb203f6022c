"""Screening's Celery tasks: thin wrappers around ``supervision.screening``."""

from celery import shared_task
from django.db import OperationalError

from supervision import screening, screening_deadlines, screening_jobs


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def record_screening_results(filing_id: int) -> None:
    screening.record_results(filing_id)


@shared_task
def sweep_screening_deadlines() -> None:
    screening_deadlines.sweep()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def run_screening_job(job_id: int) -> None:
    screening_jobs.run(job_id)
