"""The dashboards' worker tasks: build one export (the work is in ``DashboardExport.run``);
write the lending rows of accepted returns that have none."""

from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def build_export(export_id: int) -> None:
    from supervision.models.dashboards import DashboardExport

    export = DashboardExport.objects.filter(pk=export_id).first()
    if export is not None:
        export.run()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def record_missing_lending_rows() -> None:
    from supervision import lending_rows

    lending_rows.record_missing()
