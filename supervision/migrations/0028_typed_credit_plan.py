"""The office no longer types a bank's SME credit plan: the bank files it (SME-CREDIT-PLAN).
What offices typed before is kept, renamed and read only, as the plan of record for a year in
which the bank has no accepted plan."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0027_target_groups"),
    ]

    operations = [
        migrations.RenameField(
            model_name="arrangement", old_name="credit_plan", new_name="typed_credit_plan"
        ),
        migrations.AlterField(
            model_name="arrangement",
            name="typed_credit_plan",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                editable=False,
                max_digits=16,
                null=True,
                verbose_name=(
                    "SME credit plan typed by the office before banks filed it "
                    "(increment, 10k CNY)"
                ),
            ),
        ),
    ]
