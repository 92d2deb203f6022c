"""The dashboards' worker tasks: build one export (the work is in ``DashboardExport.run``);
write the lending rows of accepted returns that have none."""

from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="supervision.tasks.dashboards.build_export",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def build_export(export_id: int) -> None:
    from supervision.dashboards.models import DashboardExport

    export = DashboardExport.objects.filter(pk=export_id).first()
    if export is not None:
        export.run()


@shared_task(
    name="supervision.tasks.dashboards.record_missing_lending_rows",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def record_missing_lending_rows() -> None:
    from supervision.dashboards import lending_rows

    lending_rows.record_missing()
