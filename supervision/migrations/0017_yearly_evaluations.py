"""The evaluation is yearly: one per institution and year, on Q4 against the Q4 before.
Evaluations were opened for every quarter; each one of Q1-Q3 is kept as monitoring (what the
institution would score on that quarter's figures) and removed as an evaluation, with its
self-assessment and history; each Q4 one becomes the year's evaluation ("2025Q4" -> "2025"),
keeping its state, points and history. Backwards, the years are Q4 again; the quarters' work
removed as evaluations is not restored (their results stay as monitoring)."""

import re

from django.db import migrations

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
YEAR = re.compile(r"^\d{4}$")


def forwards(apps, schema_editor) -> None:
    Evaluation = apps.get_model("supervision", "Evaluation")
    MonitoringScore = apps.get_model("supervision", "MonitoringScore")
    kept = {(m.institution_id, m.period) for m in MonitoringScore.objects.all()}
    monitoring, quarters, years = [], [], []
    for e in Evaluation.objects.all().order_by("pk"):
        match = QUARTER.match(e.period)
        if not match:
            continue
        if (e.institution_id, e.period) not in kept:
            monitoring.append(
                MonitoringScore(
                    institution_id=e.institution_id,
                    period=e.period,
                    scheme_version=e.scheme_version,
                    result=e.result,
                    fingerprint=e.fingerprint,
                    total=e.total,
                    regular=e.regular,
                    complete=e.complete,
                    scored_at=e.scored_at,
                )
            )
        if match[2] == "4":
            e.period = match[1]
            years.append(e)
        else:
            quarters.append(e.pk)
    MonitoringScore.objects.bulk_create(monitoring, batch_size=500)
    Evaluation.objects.filter(pk__in=quarters).delete()
    Evaluation.objects.bulk_update(years, ["period"], batch_size=500)


def backwards(apps, schema_editor) -> None:
    Evaluation = apps.get_model("supervision", "Evaluation")
    years = [e for e in Evaluation.objects.all() if YEAR.match(e.period)]
    for e in years:
        e.period = f"{e.period}Q4"
    Evaluation.objects.bulk_update(years, ["period"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0016_monitoring_scores"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
