"""Reads of evaluation results for pages and for the dashboards (the one other capability that
may read them): an evaluation's current result, and a subtree's grades and targets met."""

from collections import Counter

from django.db.models import Count, QuerySet

from portal.models import Office
from supervision.evaluation import scheme as schemes
from supervision.evaluation.models import Evaluation, EvaluationStatus
from supervision.evaluation.scoring import Result, result_from_dict


def current_result(evaluation: Evaluation) -> Result | None:
    return result_from_dict(evaluation.result) if evaluation.result else None


def in_subtree(office: Office, period: str) -> QuerySet:
    return Evaluation.objects.filter(
        period=period, institution__office__path__startswith=office.path
    )


def grade_distribution(office: Office, period: str, confirmed_only: bool = False) -> dict:
    """How many institutions under ``office`` hold each grade for ``period`` ({1: n, ...})."""
    evaluations = in_subtree(office, period).filter(grade__isnull=False)
    if confirmed_only:
        evaluations = evaluations.filter(status__in=EvaluationStatus.frozen())
    counts = dict(evaluations.values_list("grade").annotate(n=Count("pk")).order_by("grade"))
    scheme = schemes.for_period(period)
    return {band.grade: counts.get(band.grade, 0) for band in scheme.bands}


def on_target(office: Office, period: str) -> dict[str, tuple[int, int]]:
    """For each measured indicator, (institutions on target, institutions measured)."""
    met: Counter = Counter()
    measured: Counter = Counter()
    for result in in_subtree(office, period).exclude(result={}).values_list("result", flat=True):
        for line in result["lines"]:
            if line["met"] is not None:
                measured[line["code"]] += 1
                met[line["code"]] += bool(line["met"])
    return {code: (met[code], measured[code]) for code in sorted(measured)}
