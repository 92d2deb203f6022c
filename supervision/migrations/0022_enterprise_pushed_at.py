from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_pushed_at(apps, schema_editor):
    """Each enterprise's push: its current assignment's entry's ``assigned_at``."""
    TaskEnterprise = apps.get_model("supervision", "TaskEnterprise")
    AssignmentEntry = apps.get_model("supervision", "AssignmentEntry")
    current = AssignmentEntry.objects.filter(
        enterprise=OuterRef("pk"), assignment=OuterRef("assignment")
    ).values("assigned_at")[:1]
    TaskEnterprise.objects.filter(assignment__isnull=False).update(pushed_at=Subquery(current))


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0021_merge_0017_weak_regions_0020_merge_yearly_evaluations"),
    ]

    operations = [
        migrations.AddField(
            model_name="taskenterprise",
            name="pushed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill_pushed_at, migrations.RunPython.noop),
    ]
