"""Field visits: a bank officer (or a county office's task force) at an assigned enterprise's
door, recorded on a phone, often without a signal, and sent later.

Each visit carries the id its phone gave it (``client_id``), so that a visit sent twice, by a
retry after a lost answer or by a second sync, is recorded once. A visit keeps the assignment
the phone knew it under: when the enterprise was given to another bank meanwhile, the visit is
refused rather than recorded against the wrong bank.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Office
from supervision.screening.models import Assignment, Decision, TaskEnterprise

PATH_PATTERN = ["varchar_pattern_ops"]


class Visit(models.Model):
    client_id = models.UUIDField(_("client id"), unique=True)
    enterprise = models.ForeignKey(TaskEnterprise, on_delete=models.CASCADE, related_name="visits")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="visits")
    # The assigning office's path, for "everything under this office" (as on Assignment).
    office_path = models.CharField(max_length=255)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    visited_at = models.DateTimeField(_("visited at"))
    visitors = models.CharField(_("who went"), max_length=200)
    met = models.CharField(_("whom they met"), max_length=200, blank=True)
    need_amount = models.DecimalField(
        _("financing need"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    need_term = models.PositiveIntegerField(_("term wanted (months)"), null=True, blank=True)
    need_purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    offered = models.CharField(_("what was offered"), max_length=500, blank=True)
    decision = models.CharField(_("outcome"), max_length=20, choices=Decision.choices)
    decline_reason = models.CharField(_("decline reason"), max_length=30, blank=True)
    credit_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    loan_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    loan_date = models.DateField(_("loan date"), null=True, blank=True)
    rate = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    credit_loan = models.BooleanField(_("credit loan"), null=True, blank=True)
    renewal = models.BooleanField(_("renewal"), null=True, blank=True)
    first_time = models.BooleanField(_("first-time borrower"), null=True, blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_on = models.DateField(_("next step by"), null=True, blank=True)
    # Timer swept by beat: when the bank was reminded of the next step (once).
    next_step_reminded_at = models.DateTimeField(null=True, blank=True)
    # Given only with the officer's consent, and with the accuracy the phone reported.
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-pk"]
        indexes = [
            models.Index(fields=["office_path"], name="visit_path_prefix", opclasses=PATH_PATTERN),
            models.Index(fields=["enterprise", "visited_at"], name="visit_enterprise_time"),
            models.Index(fields=["next_step_on"], name="visit_next_step"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.visited_at:%Y-%m-%d}"

    @property
    def audit_office(self) -> Office:
        return self.assignment.office

    @property
    def audit_institution(self):
        return self.assignment.institution


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to="visits/%Y/%m/", max_length=300)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.image.name or ""
