"""The transactional outbox: a task to send, written in the transaction of the change that asks
for it, so that the intent commits (or rolls back) with the change. ``portal.outbox`` relays
each row to the broker after the commit and, from beat, again while the broker refused it."""

from django.db import models


class OutboxMessage(models.Model):
    task = models.CharField(max_length=200)  # the task's pinned Celery name
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    # Taken by one relay at a time; a relay that died holding it lets go when this passes.
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"


class Tick(models.Model):
    """When a periodic process last showed it was alive (``beat``: its outbox sweep), for
    ``manage.py portal_health``."""

    name = models.CharField(max_length=40, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"
