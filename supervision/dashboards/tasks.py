"""The dashboards' worker tasks: build one export (``exports.run``); write the lending rows of
accepted returns that have none."""

from celery import shared_task
from django.db import OperationalError

from supervision.dashboards import exports, lending_rows


@shared_task(
    name="supervision.tasks.dashboards.build_export",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def build_export(export_id: int) -> None:
    exports.run(export_id)


@shared_task(
    name="supervision.tasks.dashboards.record_missing_lending_rows",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def record_missing_lending_rows() -> None:
    lending_rows.record_missing()
