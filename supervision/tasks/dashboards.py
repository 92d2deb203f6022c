"""The dashboards' worker task: build one export (the work is in ``DashboardExport.run``)."""

from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def build_export(export_id: int) -> None:
    from supervision.models.dashboards import DashboardExport

    export = DashboardExport.objects.filter(pk=export_id).first()
    if export is not None:
        export.run()
