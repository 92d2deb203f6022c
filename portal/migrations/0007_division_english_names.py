"""Divisions loaded from GB/T 2260 before they had English names get theirs (Gulou District)."""

from django.db import migrations


def name_in_english(apps, schema_editor) -> None:
    from portal.division_names import english_names

    Division = apps.get_model("portal", "Division")
    names = english_names()
    unnamed = list(Division.objects.filter(name_en="", code__in=list(names)))
    for division in unnamed:
        division.name_en = names[division.code]
    Division.objects.bulk_update(unnamed, ["name_en"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("portal", "0006_merge_0005_idempotency_keys_0005_outbox")]

    operations = [migrations.RunPython(name_in_english, migrations.RunPython.noop)]
