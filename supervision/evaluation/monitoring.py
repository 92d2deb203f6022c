"""Monitoring: what each institution would score on a quarter's figures. The quarters feed
early warnings ("on 2026Q2's figures this bank would score 62"), never an evaluation: no
self-assessment, no grade, no review. Scored in bulk like the yearly evaluation (a handful of
aggregate queries whatever the number of institutions), stored one row per institution and
quarter, rewritten only when the result changed."""

from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from portal.models import Institution
from supervision.evaluation import scheme as schemes
from supervision.evaluation.inputs import gather
from supervision.evaluation.models import MonitoringScore
from supervision.evaluation.scoring import Inputs, score
from supervision.evaluation.services import Tally, as_json, fingerprint

FIELDS = ["scheme_version", "result", "fingerprint", "total", "regular", "complete", "scored_at"]


def monitor(quarter: str, institutions: QuerySet | None = None, today: date | None = None) -> Tally:
    """Score ``institutions`` (None: all) that filed for ``quarter`` and store what changed."""
    scheme = schemes.for_period(quarter)
    today = today or timezone.localdate()
    values, differentiated, filed = gather(scheme, quarter, institutions, today)
    kinds = dict(Institution.objects.filter(pk__in=filed).values_list("pk", "kind"))
    now = timezone.now()
    with transaction.atomic():
        held = {
            m.institution_id: m
            for m in MonitoringScore.objects.select_for_update()
            .filter(period=quarter, institution_id__in=filed)
            .defer("result")
        }
        changed: list[MonitoringScore] = []
        created: list[MonitoringScore] = []
        for pk in sorted(filed):
            result = score(scheme, Inputs(kinds[pk], values.get(pk, {}), pk in differentiated))
            mark = fingerprint(as_json(result))
            row = held.get(pk) or MonitoringScore(institution_id=pk, period=quarter)
            if row.fingerprint == mark:
                continue
            row.scheme_version, row.result, row.fingerprint = scheme.version, result.as_dict(), mark
            row.total, row.regular, row.complete = result.total, result.regular, result.complete
            row.scored_at = now
            (changed if row.pk else created).append(row)
        MonitoringScore.objects.bulk_update(changed, FIELDS, batch_size=500)
        MonitoringScore.objects.bulk_create(created, batch_size=500, ignore_conflicts=True)
    return Tally(scored=len(changed) + len(created), unchanged=len(filed) - len(changed + created))
