"""What a grade 4 asks beyond grade 3: the supervisory talk with the principal officer, as the
office recorded it on the escalation case, and the bank's rectification plan, item by item with
its evidence."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Institution, Office
from supervision.evaluation.models import Evaluation


class SupervisoryTalk(models.Model):
    """A supervisory talk with the institution's principal officer about its result, as the
    office recorded it on the escalation case the grade raised (``causes.talk_recorded``)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="talks")
    case_id = models.PositiveIntegerField(_("escalation case"))
    held_on = models.DateField(_("held on"))
    principal_officer = models.CharField(_("principal officer"), max_length=100)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.evaluation} {self.held_on}"

    @property
    def audit_office(self) -> Office:
        return self.evaluation.institution.office

    @property
    def audit_institution(self) -> Institution:
        return self.evaluation.institution


class PlanStatus(models.TextChoices):
    FOLLOWED = "followed", _("Followed by the office")
    CLOSED = "closed", _("Closed")


class RectificationPlan(models.Model):
    """The time-limited plan the bank files against its scorecard when its grade calls for one:
    one item for each gap of its gap list, each with what it will do and by when."""

    evaluation = models.OneToOneField(
        Evaluation, on_delete=models.CASCADE, related_name="rectification_plan"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.FOLLOWED
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("rectification plan")
        verbose_name_plural = _("rectification plans")
        ordering = ["-filed_at", "-pk"]

    def __str__(self) -> str:
        return f"{_('Rectification plan')} · {self.evaluation}"

    @property
    def audit_office(self) -> Office:
        return self.evaluation.institution.office

    @property
    def audit_institution(self) -> Institution:
        return self.evaluation.institution


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Open: the bank is rectifying")
    REPORTED = "reported", _("Reported done: awaiting the office")
    CLOSED = "closed", _("Closed by the office")


class PlanItem(models.Model):
    """One gap of the scorecard, what the bank does about it, by when, and its evidence."""

    plan = models.ForeignKey(RectificationPlan, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("indicator"), max_length=10)
    gap = models.TextField(_("gap"))
    lost = models.DecimalField(_("points lost"), max_digits=7, decimal_places=2)
    action = models.TextField(_("what the bank will do"))
    deadline = models.DateField(_("done by"))
    status = models.CharField(
        _("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN
    )
    report = models.TextField(_("what was done"), blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    office_note = models.TextField(_("the office's note"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-lost", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="one_plan_item_per_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.code}"

    @property
    def audit_office(self) -> Office:
        return self.plan.evaluation.institution.office

    @property
    def audit_institution(self) -> Institution:
        return self.plan.evaluation.institution


class PlanEvidence(models.Model):
    """A file the bank attaches to a plan item as evidence that it is done."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="evaluation/plans/%Y/", max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name
