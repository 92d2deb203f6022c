"""Celery tasks of the evaluation: thin wrappers; the work is in ``supervision.evaluation``."""

from celery import shared_task
from django.db import OperationalError

from supervision.evaluation import services as evaluation


@shared_task(
    name="supervision.tasks.evaluation.score_institution",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def score_institution(institution_id: int, period: str) -> None:
    """A quarter's accepted return: its monitoring, and for a Q4 the year's evaluation."""
    evaluation.score_filed(institution_id, period)


@shared_task(
    name="supervision.tasks.evaluation.open_yearly_evaluations",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def open_yearly_evaluations() -> None:
    evaluation.open_due_years()


@shared_task(
    name="supervision.tasks.evaluation.run_scoring",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def run_scoring(run_id: int) -> None:
    evaluation.run(run_id)
