"""Celery tasks of the evaluation: thin wrappers; the work is in ``supervision.evaluation``."""

from celery import shared_task
from django.db import OperationalError

from portal.models import Institution
from supervision.evaluation import services as evaluation
from supervision.evaluation.models import ScoreRecord


@shared_task(
    name="supervision.tasks.evaluation.score_institution",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def score_institution(institution_id: int, period: str) -> None:
    evaluation.score_institutions(
        period, Institution.objects.filter(pk=institution_id), ScoreRecord.Cause.FILING
    )


@shared_task(
    name="supervision.tasks.evaluation.run_scoring",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def run_scoring(run_id: int) -> None:
    evaluation.run(run_id)
