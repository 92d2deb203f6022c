"""The three job rows (screening jobs, dashboard exports, scoring runs) share the abstract
``portal.models.Job``: one status field with one set of choices. Nothing changes in the
database: ScreeningJob's field ``state`` is now ``status`` on the same column (``db_column``),
and its index keeps its name and columns; the other two only gain a verbose name and the
shared labels (state only: choices and verbose names are not in the schema)."""

from django.db import migrations, models


def status(**options) -> models.CharField:
    return models.CharField(
        choices=[
            ("queued", "Queued"),
            ("running", "Running"),
            ("done", "Done"),
            ("failed", "Failed"),
        ],
        default="queued",
        max_length=10,
        verbose_name="status",
        **options,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0012_lending_rows"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="screeningjob", name="screening_job_state"),
                migrations.RenameField(
                    model_name="screeningjob", old_name="state", new_name="status"
                ),
                migrations.AlterField(
                    model_name="screeningjob", name="status", field=status(db_column="state")
                ),
                migrations.AddIndex(
                    model_name="screeningjob",
                    index=models.Index(fields=["task", "status"], name="screening_job_state"),
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterField(model_name="dashboardexport", name="status", field=status()),
        migrations.AlterField(model_name="scoringrun", name="status", field=status()),
    ]
