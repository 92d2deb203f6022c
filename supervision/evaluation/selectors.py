"""Reads of evaluation results for pages and for the dashboards (the one other capability that
may read them): whose results a user may read, an evaluation's current result, and a subtree's
grades and targets met."""

from collections import Counter

from django.db.models import Count, QuerySet

from portal import scoping
from portal.models import Office, Role
from reporting.periods import is_quarter
from supervision.evaluation import scheme as schemes
from supervision.evaluation.models import Evaluation, EvaluationStatus, MonitoringScore
from supervision.evaluation.scoring import Result, result_from_dict


def results_shown(user, evaluations: type[Evaluation] | QuerySet = Evaluation) -> QuerySet:
    """The evaluations (among ``evaluations``) whose results ``user`` may read: the total,
    grade, scorecard, trend and workbook, in the API as on the pages.

    An office reads every evaluation under it, in every state. The institution's own officers
    read theirs only once the office has notified them (NOTIFIED or ARCHIVED): until then the
    result is the office's work in progress, and the bank's page is its self-assessment. A
    user with both kinds of membership gets each side's share; nobody else reads any.
    """
    by_office = scoping.actionable(user, evaluations, Role.VIEWER)
    by_bank = scoping.actionable(user, evaluations, Role.PREPARER).filter(
        status__in=EvaluationStatus.shown_to_bank()
    )
    return by_office | by_bank


def results_hidden(user, evaluation: Evaluation) -> bool:
    """Whether ``user``, who sees ``evaluation``, may not read its result yet."""
    return not results_shown(user, Evaluation.objects.filter(pk=evaluation.pk)).exists()


def npl_tolerance(period: str):
    """The NPL tolerance of the scheme in force for ``period``: the dashboards compare with the
    same figure the scorecard does."""
    return schemes.for_period(period).tolerance("npl_tolerance")


def current_result(evaluation: Evaluation) -> Result | None:
    return result_from_dict(evaluation.result) if evaluation.result else None


def evaluated_year(office: Office, period: str) -> str:
    """The year whose evaluations a period's pages show: a year itself; for a quarter (the
    dashboards'), the latest year evaluated under ``office`` up to the quarter's year."""
    if not is_quarter(period):
        return period
    latest = (
        Evaluation.objects.filter(
            period__lte=period[:4], institution__office__path__startswith=office.path
        )
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    return latest or period[:4]


def in_subtree(office: Office, period: str) -> QuerySet:
    return Evaluation.objects.filter(
        period=evaluated_year(office, period), institution__office__path__startswith=office.path
    )


def early_warnings(user, evaluation: Evaluation, count: int = 4) -> list[MonitoringScore]:
    """What the institution would score on its latest quarters' figures (monitoring, never a
    grade), as far as ``user`` may see them: the quarters after the evaluated year first."""
    return list(
        scoping.visible(user, MonitoringScore)
        .filter(institution_id=evaluation.institution_id)
        .exclude(period__startswith=str(int(evaluation.period) + 2))
        .order_by("-period")
        .only("period", "total", "complete", "scheme_version")[:count]
    )


def grade_distribution(office: Office, period: str, confirmed_only: bool = False) -> dict:
    """How many institutions under ``office`` hold each grade for ``period`` ({1: n, ...})."""
    evaluations = in_subtree(office, period).filter(grade__isnull=False)
    if confirmed_only:
        evaluations = evaluations.filter(status__in=EvaluationStatus.frozen())
    counts = dict(evaluations.values_list("grade").annotate(n=Count("pk")).order_by("grade"))
    scheme = schemes.for_period(evaluated_year(office, period))
    return {band.grade: counts.get(band.grade, 0) for band in scheme.bands}


def under_closer_supervision(office: Office, period: str) -> int:
    """How many institutions under ``office`` a confirmed grade of the year shown for
    ``period`` puts under closer supervision (the scheme's consequences say which grades)."""
    confirmed = (
        in_subtree(office, period)
        .filter(status__in=EvaluationStatus.frozen())
        .values_list("grade", "scheme_version")
    )
    return sum(
        "closer_supervision" in schemes.load(version).consequence(grade).measures
        for grade, version in confirmed
    )


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
