"""Substantive-complaint causes named their quarter "2026-q1"; every quarter is now written
"2026Q1" (``reporting.periods.quarter_label``). A cause's key raises nothing again once it
joined a case, so the stored keys (and the quarter in their details and summary) are
rewritten to the new label: otherwise this quarter's causes would be raised a second time."""

import re

from django.db import migrations

KIND = "substantive-complaints"
OLD, NEW = re.compile(r"\b(\d{4})-q([1-4])\b"), re.compile(r"\b(\d{4})Q([1-4])\b")


def _relabel(apps, pattern: re.Pattern, label: str) -> None:
    CaseCause = apps.get_model("supervision", "CaseCause")
    changed = []
    for cause in CaseCause.objects.filter(kind=KIND):
        key = pattern.sub(label, cause.key)
        if key == cause.key:
            continue
        cause.key = key
        cause.summary = pattern.sub(label, cause.summary)
        if "quarter" in cause.details:
            cause.details["quarter"] = pattern.sub(label, cause.details["quarter"])
        changed.append(cause)
    CaseCause.objects.bulk_update(changed, ["key", "summary", "details"], batch_size=500)


def forwards(apps, schema_editor) -> None:
    _relabel(apps, OLD, r"\1Q\2")


def backwards(apps, schema_editor) -> None:
    _relabel(apps, NEW, r"\1-q\2")


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0013_jobs"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
