"""Screening's Celery tasks: thin wrappers around ``supervision.screening``."""

from celery import shared_task
from django.db import OperationalError

from supervision.screening import deadlines as screening_deadlines
from supervision.screening import jobs as screening_jobs
from supervision.screening import results as screening_results
from supervision.screening.visits import reminders as visit_reminders


@shared_task(
    name="supervision.tasks.screening.record_screening_results",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def record_screening_results(filing_id: int) -> None:
    screening_results.record_results(filing_id)


@shared_task(name="supervision.tasks.screening.sweep_screening_deadlines")
def sweep_screening_deadlines() -> None:
    screening_deadlines.sweep()


@shared_task(
    name="supervision.tasks.screening.run_screening_job",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def run_screening_job(job_id: int) -> None:
    screening_jobs.run(job_id)


@shared_task(name="supervision.tasks.screening.remind_visit_next_steps")
def remind_visit_next_steps() -> None:
    visit_reminders.remind_next_steps()
