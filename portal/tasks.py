"""Celery tasks of the core: thin wrappers around ``notifications``, ``emails`` and ``outbox``."""

from celery import shared_task
from django.db import OperationalError

from portal import emails, notifications, outbox


@shared_task(
    name="portal.tasks.send_notification_emails",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def send_notification_emails(ids: list[int]) -> None:
    notifications.deliver(ids)


@shared_task(
    name="portal.tasks.send_emails",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def send_emails(ids: list[int]) -> None:
    emails.deliver(ids)


@shared_task(name="portal.tasks.relay_outbox")
def relay_outbox() -> None:
    outbox.sweep()
