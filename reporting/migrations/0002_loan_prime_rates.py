from datetime import date
from decimal import Decimal

from django.db import migrations

# One-year LPR as published by the National Interbank Funding Center; offices add later months
# in the admin.
CHANGES = [
    (date(2022, 8, 1), "3.65"),
    (date(2023, 6, 1), "3.55"),
    (date(2023, 8, 1), "3.45"),
    (date(2024, 7, 1), "3.35"),
    (date(2024, 10, 1), "3.10"),
    (date(2025, 5, 1), "3.00"),
]


def seed(apps, schema_editor):
    LprRate = apps.get_model("reporting", "LprRate")
    for month, rate in CHANGES:
        LprRate.objects.get_or_create(month=month, defaults={"one_year": Decimal(rate)})


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_returns")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
