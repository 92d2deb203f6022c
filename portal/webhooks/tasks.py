"""Webhook tasks, thin: each calls one function of ``delivery``."""

from celery import shared_task

from portal.outbox import send_on_commit
from portal.webhooks import delivery


@shared_task(name="portal.webhooks.deliver_webhook")
def deliver_webhook(delivery_id: int) -> str | None:
    return delivery.deliver(delivery_id)


@shared_task(name="portal.webhooks.retry_webhooks")
def retry_webhooks() -> int:
    due = delivery.retry_due()
    for pk in due:
        send_on_commit(deliver_webhook, pk)
    return len(due)
