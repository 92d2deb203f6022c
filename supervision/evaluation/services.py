"""Storing evaluation results: scoring a period (or a few institutions) in bulk, keeping the
history of every change, and the runs an office asks for (reads are in ``selectors``).

Scoring reads every input in a handful of aggregated queries, scores in memory with the pure
``scoring.score`` and writes the results with bulk statements, so the number of queries does
not grow with the number of institutions. Running it twice changes nothing the second time
(the result's fingerprint is unchanged, so no history is added). Confirmed results are frozen.
"""

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import OperationalError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from portal import audit
from portal.models import Institution, Office, User
from portal.outbox import send_on_commit
from reporting.models import RequestSource, ReturnRequest
from reporting.periods import is_quarter, parse_quarter, quarter_end, quarter_label
from supervision.evaluation import scheme as schemes
from supervision.evaluation.inputs import gather
from supervision.evaluation.models import (
    Evaluation,
    PointAdjustment,
    QualitativeScore,
    ScoreRecord,
    ScoringRun,
)
from supervision.evaluation.scoring import Adjustment, Inputs, Result, score


@dataclass(frozen=True)
class Tally:
    scored: int = 0
    unchanged: int = 0
    frozen: int = 0


def as_json(result: Result) -> str:
    """The result as compact JSON text with sorted keys: stored, and fingerprinted."""
    return json.dumps(result.as_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _reviewed(evaluations: list[Evaluation]) -> tuple[dict, dict]:
    """The reviewer's qualitative points and adjustments, by evaluation id and item code."""
    ids = [e.pk for e in evaluations]
    qualitative: dict[int, dict] = defaultdict(dict)
    for evaluation_id, code, points in QualitativeScore.objects.filter(
        evaluation_id__in=ids, points__isnull=False
    ).values_list("evaluation_id", "code", "points"):
        qualitative[evaluation_id][code] = points
    adjustments: dict[int, dict] = defaultdict(dict)
    for evaluation_id, code, points, reason in PointAdjustment.objects.filter(
        evaluation_id__in=ids
    ).values_list("evaluation_id", "code", "points", "reason"):
        adjustments[evaluation_id][code] = Adjustment(points, reason)
    return qualitative, adjustments


def opens_on(year: int) -> date:
    """The day the year's evaluation opens: the day after its Q4 returns are due."""
    due = quarter_end(quarter_label(year, 4)) + timedelta(days=settings.PORTAL_RETURN_DUE_DAYS)
    return due + timedelta(days=1)


def _expected(year: str, institutions: QuerySet | None) -> set[int]:
    """The institutions asked to file returns during the year: each gets the year's
    evaluation, whether or not its Q4 return has come."""
    requests = ReturnRequest.objects.filter(period__startswith=year, source=RequestSource.SCHEDULE)
    if institutions is not None:
        requests = requests.filter(institution__in=institutions.values("pk"))
    return set(requests.values_list("institution_id", flat=True).distinct())


def score_institutions(
    period: str,
    institutions: QuerySet | None = None,
    cause: str = ScoreRecord.Cause.PERIOD,
    today: date | None = None,
) -> Tally:
    """Score ``institutions`` (None: all) for ``period`` and store what changed.

    A quarter ("2025Q3") is monitoring only (``monitoring.monitor``). A year ("2025") is the
    evaluation, on the year's Q4 figures against the Q4 before: its existing evaluations are
    scored again, and once the calendar has opened the year (``opens_on``) every institution
    that filed returns during it gets its evaluation.
    """
    if is_quarter(period):
        from supervision.evaluation.monitoring import monitor

        return monitor(period, institutions, today)
    today = today or timezone.localdate()
    quarter = quarter_label(int(period), 4)
    scheme = schemes.for_period(quarter)
    values, differentiated, filed = gather(scheme, quarter, institutions, today)
    # Before the calendar opens the year, no evaluation is made: the quarters are monitoring.
    opening = filed | _expected(period, institutions) if today >= opens_on(int(period)) else set()

    # Not durable: ``rescore`` runs it inside the transaction of the cycle's verbs (a review,
    # an adjustment, a reopening), so that the new result commits with the change.
    with transaction.atomic():
        existing = Evaluation.objects.filter(period=period)
        if institutions is not None:
            existing = existing.filter(institution__in=institutions.values("pk"))
        evaluations = list(
            existing.select_for_update(of=("self",))
            .select_related("institution")
            .defer("result")  # only its fingerprint is compared
            .order_by("pk")
        )
        new_ids = sorted(opening - {e.institution_id for e in evaluations})
        kinds = dict(Institution.objects.filter(pk__in=new_ids).values_list("pk", "kind"))
        qualitative, adjustments = _reviewed(evaluations)
        now = timezone.now()
        changed: list[tuple[Evaluation, str, Result]] = []
        tally: Counter[str] = Counter()
        for evaluation in evaluations:
            if evaluation.is_frozen:
                tally["frozen"] += 1
                continue
            institution = evaluation.institution
            result = score(
                scheme,
                Inputs(
                    kind=institution.kind,
                    values=values.get(institution.pk, {}),
                    differentiated=institution.pk in differentiated,
                    qualitative=qualitative.get(evaluation.pk, {}),
                    adjustments=adjustments.get(evaluation.pk, {}),
                ),
            )
            text = as_json(result)
            mark = fingerprint(text)
            if mark == evaluation.fingerprint:
                tally["unchanged"] += 1
                continue
            _apply(evaluation, result, mark, now)
            changed.append((evaluation, text, result))
        created = []
        for pk in new_ids:
            inputs = Inputs(kinds[pk], values.get(pk, {}), pk in differentiated)
            result = score(scheme, inputs)
            text = as_json(result)
            evaluation = Evaluation(institution_id=pk, period=period)
            _apply(evaluation, result, fingerprint(text), now)
            created.append((evaluation, text, result))
        _update_results(changed)
        # A run scoring the same period at once may have made some first: those are skipped.
        created = _insert_new(created)
        _insert_records(
            [_record(evaluation, result, cause, now) for evaluation, _, result in changed + created]
        )
        tally["scored"] = len(changed) + len(created)
    return Tally(**tally)


# -- writing in bulk ---------------------------------------------------------------------------
# On PostgreSQL each write is one statement over unnest()ed arrays, however many rows (Django's
# bulk methods would split a national run into batches, or build a CASE per row and column).
# Elsewhere (the embedded SQLite mode) Django's bulk methods do it.

RESULT_FIELDS = [
    ("scheme_version", "varchar"),
    ("result", "jsonb"),
    ("fingerprint", "varchar"),
    ("total", "numeric"),
    ("regular", "numeric"),
    ("grade", "integer"),
    ("band", "varchar"),
    ("complete", "boolean"),
    ("scored_at", "timestamptz"),
]
RECORD_FIELDS = [
    ("evaluation_id", "bigint"),
    ("scored_at", "timestamptz"),
    ("cause", "varchar"),
    ("scheme_version", "varchar"),
    ("total", "numeric"),
    ("grade", "integer"),
    ("band", "varchar"),
    ("complete", "boolean"),
    ("fingerprint", "varchar"),
]


def _arrays(columns: list[tuple[str, str]], rows: list[tuple]) -> tuple[str, list]:
    placeholders = ", ".join(f"%s::{kind}[]" for _, kind in columns)
    return placeholders, [list(column) for column in zip(*rows, strict=True)]


def _recordset(rows: list[tuple[Evaluation, str, Result]], fields: list[str]) -> str:
    """The rows as one JSON array for jsonb_to_recordset: arrays of large text values are slow
    to quote and parse, one document is not. Each result's JSON text is spliced in as is."""
    parts = []
    for evaluation, text, _ in rows:
        small = {name: getattr(evaluation, name) for name in fields if name != "result"}
        parts.append(json.dumps(small, cls=DjangoJSONEncoder)[:-1] + ',"result":' + text + "}")
    return "[" + ",".join(parts) + "]"


NEW_FIELDS = [
    ("institution_id", "bigint"),
    ("period", "varchar"),
    ("status", "varchar"),
    ("reopen_reason", "text"),
    *RESULT_FIELDS,
]


def _insert_new(created: list[tuple[Evaluation, str, Result]]) -> list:
    """Insert new evaluations with their results; those another run inserted first are left
    out of what is returned."""
    if not created:
        return []
    if connection.vendor != "postgresql":
        Evaluation.objects.bulk_create([e for e, _, _ in created])
        return created
    names = [name for name, _ in NEW_FIELDS]
    columns = ", ".join(f"{name} {kind}" for name, kind in NEW_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Evaluation._meta.db_table} ({', '.join(names)}) "
            f"SELECT {', '.join(names)} FROM jsonb_to_recordset(%s::jsonb) AS v({columns}) "
            "ON CONFLICT DO NOTHING RETURNING id, institution_id",
            [_recordset(created, names)],
        )
        ids = dict((institution, pk) for pk, institution in cursor.fetchall())
    inserted = []
    for evaluation, text, result in created:
        if evaluation.institution_id in ids:
            evaluation.pk = ids[evaluation.institution_id]
            inserted.append((evaluation, text, result))
    return inserted


def _update_results(changed: list[tuple[Evaluation, str, Result]]) -> None:
    if not changed:
        return
    if connection.vendor != "postgresql":
        Evaluation.objects.bulk_update([e for e, _, _ in changed], [n for n, _ in RESULT_FIELDS])
        return
    columns = ", ".join(f"{name} {kind}" for name, kind in [("id", "bigint"), *RESULT_FIELDS])
    sets = ", ".join(f"{name} = v.{name}" for name, _ in RESULT_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Evaluation._meta.db_table} AS e SET {sets} "
            f"FROM jsonb_to_recordset(%s::jsonb) AS v({columns}) WHERE e.id = v.id",
            [_recordset(changed, ["id", *(n for n, _ in RESULT_FIELDS)])],
        )


def _insert_records(records: list[ScoreRecord]) -> None:
    if not records:
        return
    if connection.vendor != "postgresql":
        ScoreRecord.objects.bulk_create(records)
        return
    rows = [tuple(getattr(r, name) for name, _ in RECORD_FIELDS) for r in records]
    placeholders, params = _arrays(RECORD_FIELDS, rows)
    names = ", ".join(name for name, _ in RECORD_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ScoreRecord._meta.db_table} ({names}) "
            f"SELECT * FROM unnest({placeholders})",
            params,
        )


def _apply(evaluation: Evaluation, result: Result, mark: str, now) -> None:
    evaluation.scheme_version = result.scheme
    evaluation.result = result.as_dict()
    evaluation.fingerprint = mark
    evaluation.total, evaluation.regular = result.total, result.regular
    evaluation.grade, evaluation.band = result.grade, result.band
    evaluation.complete = result.complete
    evaluation.scored_at = now


def _record(evaluation: Evaluation, result: Result, cause: str, now) -> ScoreRecord:
    return ScoreRecord(
        evaluation=evaluation,
        scored_at=now,
        cause=cause,
        scheme_version=result.scheme,
        total=result.total,
        grade=result.grade,
        band=result.band,
        complete=result.complete,
        fingerprint=evaluation.fingerprint,
    )


def score_filed(institution_id: int, quarter: str) -> None:
    """A quarter's figures changed (a return accepted, a sampled row found misreported): its
    filer's monitoring score for the quarter; the year's evaluation, which reads the year's
    reporting (and opens, if the calendar says so, on a Q4); and after a Q4 the next year's
    evaluation if it exists (it reads this Q4 as the year before)."""
    institution = Institution.objects.filter(pk=institution_id)
    score_institutions(quarter, institution, ScoreRecord.Cause.FILING)
    year, number = parse_quarter(quarter)
    evaluated = set(
        Evaluation.objects.filter(
            institution_id=institution_id, period__in=[str(year), str(year + 1)]
        ).values_list("period", flat=True)
    )
    if number == 4 or str(year) in evaluated:
        score_institutions(str(year), institution, ScoreRecord.Cause.FILING)
    if number == 4 and str(year + 1) in evaluated:
        score_institutions(str(year + 1), institution, ScoreRecord.Cause.FILING)


def open_due_years(today: date | None = None) -> Tally:
    """Open last year's evaluations once its Q4 returns are due (beat runs it daily): every
    institution that filed returns during the year gets its evaluation, scored."""
    today = today or timezone.localdate()
    year = today.year - 1
    if today < opens_on(year):
        return Tally()
    return score_institutions(str(year), today=today)


def rescore(evaluation: Evaluation, cause: str) -> Tally:
    """Score one evaluation again (after review points, an adjustment, a reopening)."""
    return score_institutions(
        evaluation.period, Institution.objects.filter(pk=evaluation.institution_id), cause
    )


# -- runs ------------------------------------------------------------------------------------


def request_scoring(user: User, office: Office, period: str) -> ScoringRun:
    """Queue the scoring of every institution under ``office`` for ``period`` (a worker
    runs it: a national run takes longer than a page should)."""
    from supervision.evaluation.tasks import run_scoring

    with transaction.atomic(durable=True):
        job = ScoringRun.objects.create(office=office, period=period, requested_by=user)
        audit.record(user, "evaluation.period_scoring", office, {"period": period})
        send_on_commit(run_scoring, job.pk)
    return job


# A national run takes seconds; one still running after this lost its worker.
STUCK_SCORING = timedelta(minutes=30)


def run(run_id: int) -> None:
    """Carry out a queued scoring run once: a redelivered task finds it taken or done. A
    database hiccup puts it back in the queue for the task's retry."""
    job = ScoringRun.claim(run_id, STUCK_SCORING, rows=ScoringRun.objects.select_related("office"))
    if job is None:
        return
    try:
        tally = score_institutions(
            job.period, Institution.objects.filter(office__path__startswith=job.office.path)
        )
    except OperationalError:
        ScoringRun.objects.filter(pk=run_id).update(status=ScoringRun.Status.QUEUED)
        raise
    except Exception as exc:
        job.finish(ScoringRun.Status.FAILED, error=str(exc)[:2000])
        raise
    job.finish(
        ScoringRun.Status.DONE, scored=tally.scored, unchanged=tally.unchanged, frozen=tally.frozen
    )
