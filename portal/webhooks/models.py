"""Endpoints, the deliveries queued for them, and each attempt's answer."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Institution, Office


class EventType(models.TextChoices):
    FILING_VALIDATED = "filing.validated", _("A filing was validated")
    FILING_ACCEPTED = "filing.accepted", _("A filing was accepted")
    FILING_RETURNED = "filing.returned", _("A filing was returned")
    REQUEST_OPENED = "request.opened", _("A return request was opened")
    REQUEST_REOPENED = "request.reopened", _("A return request was reopened")
    COMPLAINT_RECEIVED = "complaint.received", _("A complaint was received")
    COMPLAINT_DUE = "complaint.due", _("A complaint's answer is due soon")
    NOTICE_ISSUED = "notice.issued", _("A rectification notice was issued")


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Endpoint(models.Model):
    """An HTTPS address that receives the events of one institution or of one office's
    subtree. Exactly one of ``institution`` and ``office`` is set."""

    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # The key deliveries are signed with; shown once, when the endpoint is registered.
    secret = models.CharField(max_length=100, default=new_secret)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(institution__isnull=True) ^ models.Q(office__isnull=True),
                name="webhook_endpoint_has_one_owner",
            )
        ]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    @property
    def audit_office(self) -> Office | None:
        return self.office or (self.institution.office if self.institution else None)

    @property
    def audit_institution(self) -> Institution | None:
        return self.institution


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One event for one endpoint. ``event_id`` is the same on every attempt, so a receiver
    that records the ids it processed ignores a repeat."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=40, db_index=True)
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # The timer beat sweeps (``retry_due``); none once delivered or given up.
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhook_event_once_per_endpoint"
            )
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} -> {self.endpoint_id}"


class Attempt(models.Model):
    """One try at a delivery: when, and what the endpoint answered (or why nothing did)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.TextField(blank=True)  # the first KiB of the answer's body
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"
