"""Escalation: rules per office, cases that climb the tree, their causes, actions and history."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models import Branch, Institution, Office, OfficeLevel, Role


class CauseKind(models.TextChoices):
    LOW_GRADE = "low-grade", _("Low evaluation grade")
    MISREPORTED_DATA = "misreported-data", _("Misreported data")
    COMPLAINT_OVERDUE = "complaint-overdue", _("Complaint unresolved past its deadline")
    COMPLAINT_REJECTED = "complaint-rejected", _("Complaint answer rejected by the owner")
    SUBSTANTIVE_COMPLAINTS = "substantive-complaints", _("Substantive complaints in a quarter")
    SCREENING_OVERDUE = "screening-overdue", _("Screening work overdue")
    SCREENING_CONTACT_OVERDUE = (
        "screening-contact-overdue",
        _("Screening enterprises not contacted in time"),
    )
    RETURN_OVERDUE = "return-overdue", _("Return overdue")
    COMPLAINT_DESK_OVERDUE = "complaint-desk-overdue", _("Complaint on an office's desk too long")
    LOW_SATISFACTION = "low-satisfaction", _("Low satisfaction of complainants in a quarter")


class EscalationRule(models.Model):
    """When a cause of one kind raises a case, and how long each level has to act on it.

    A rule without an office is the national default; an office's own rule overrides it for
    its whole subtree, and the nearest office up the tree wins.
    """

    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="escalation_rules",
        verbose_name=_("office"),
    )
    kind = models.CharField(_("cause"), max_length=40, choices=CauseKind.choices)
    is_active = models.BooleanField(_("raises cases"), default=True)
    # A case is raised when the cause's measure is at least this (grade number, days, count).
    threshold = models.DecimalField(_("threshold"), max_digits=10, decimal_places=2)
    county_days = models.PositiveSmallIntegerField(_("days at a county office"))
    prefecture_days = models.PositiveSmallIntegerField(_("days at a sub-bureau"))
    province_days = models.PositiveSmallIntegerField(_("days at a provincial bureau"))
    general_days = models.PositiveSmallIntegerField(_("days at the General Bureau"))
    notify_role = models.CharField(
        _("who is notified"),
        max_length=10,
        choices=[(r, label) for r, label in Role.choices if r in Role.regulator_roles()],
        default=Role.VIEWER,
    )

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        ordering = ["kind", "office__path"]
        constraints = [
            models.UniqueConstraint(fields=["office", "kind"], name="one_rule_per_office_kind"),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(office=None), name="one_default_rule_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.office or _('default')}"

    def time_to_act(self, level: int) -> timedelta:
        days: dict[int, int] = {  # by the level an office has (an int, equal to its OfficeLevel)
            OfficeLevel.COUNTY: self.county_days,
            OfficeLevel.PREFECTURE: self.prefecture_days,
            OfficeLevel.PROVINCIAL: self.province_days,
            OfficeLevel.GENERAL: self.general_days,
        }
        return timedelta(days=days[level])


class CaseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("escalation case", "Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACTION_TAKEN = "action_taken", _("Action taken")
    CLOSED = "closed", _("Closed")


# "What happens next" on a case's page, by its status (%(deadline)s: the case's act-by date).
NEXT_STEPS = {
    CaseStatus.OPEN: _(
        "The office acknowledges the case and acts by %(deadline)s; if nobody acts by then, the "
        "case climbs to the office above."
    ),
    CaseStatus.ACKNOWLEDGED: _(
        "The office acts by %(deadline)s (a supervisory talk, a rectification notice) and "
        "records it; if nobody acts by then, the case climbs to the office above."
    ),
    CaseStatus.ACTION_TAKEN: _(
        "The office checks the evidence that the problem was remedied and closes the case."
    ),
    CaseStatus.CLOSED: _("Nothing more: the case is closed. A new problem opens a new case."),
}


class Case(models.Model):
    """One institution's (or branch's) problems, at the office that must act on them."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="escalation_cases"
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="escalation_cases"
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="escalation_cases", verbose_name=_("office")
    )
    origin_office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("raised at")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=OfficeLevel.choices)
    kind = models.CharField(_("first cause"), max_length=40, choices=CauseKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    deadline = models.DateTimeField(_("act by"))
    escalations = models.PositiveSmallIntegerField(_("times escalated"), default=0)
    opened_at = models.DateTimeField(_("opened"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closing_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("escalation case")
        verbose_name_plural = _("escalation cases")
        ordering = ["deadline", "pk"]
        indexes = [
            # The sweep reads the due cases in this order, each batch after the one before.
            models.Index(fields=["status", "deadline", "id"]),
            models.Index(fields=["institution", "branch", "status"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def next_step(self) -> str:
        deadline = timezone.localtime(self.deadline)
        return str(NEXT_STEPS[CaseStatus(self.status)]) % {"deadline": f"{deadline:%Y-%m-%d}"}

    @property
    def subject(self):
        return self.branch or self.institution

    @property
    def audit_office(self) -> Office:
        return self.office

    @property
    def audit_institution(self) -> Institution:
        return self.institution

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED


class CaseCause(models.Model):
    """A cause as it joined a case; its key raises nothing ever again."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="causes")
    kind = models.CharField(_("cause"), max_length=40, choices=CauseKind.choices)
    key = models.CharField(max_length=120, unique=True)
    measure = models.DecimalField(_("measure"), max_digits=12, decimal_places=2)
    summary = models.CharField(_("summary"), max_length=300)
    evidence_url = models.CharField(_("evidence"), max_length=500, blank=True)
    occurred_on = models.DateField(_("occurred on"))
    details = models.JSONField(default=dict, blank=True)
    # The case closes only after a supervisory talk with the principal officer (``Cause``).
    requires_talk = models.BooleanField(default=False)
    joined_at = models.DateTimeField(_("joined"))

    class Meta:
        ordering = ["joined_at", "pk"]

    def __str__(self) -> str:
        return self.key


class ActionKind(models.TextChoices):
    TALK = "talk", _("Supervisory talk")
    INSPECTION = "inspection", _("Follow-up inspection")


class CaseAction(models.Model):
    """A supervisory talk (with its minutes) or a follow-up inspection (with its findings)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("action"), max_length=20, choices=ActionKind.choices)
    held_on = models.DateField(_("held on"))
    minutes = models.TextField(_("minutes or findings"))
    # A talk's attendee for the institution: its principal officer (legal representative or
    # president), whom a grade 4 requires.
    principal_officer = models.CharField(_("principal officer present"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("Awaiting the institution's answer")
    ANSWERED = "answered", _("Answered: awaiting the office's decision")
    ACCEPTED = "accepted", _("Remedy accepted")


class RectificationNotice(models.Model):
    """An office's requirements to the institution, with a deadline of their own."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notices")
    requirements = models.TextField(_("requirements"))
    deadline = models.DateField(_("answer by"))
    status = models.CharField(
        _("status"), max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.ISSUED
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    # Set by the sweep when the deadline passed unanswered and both sides were told.
    lapsed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return f"{_('Rectification notice')} #{self.pk} · {self.case.subject}"

    @property
    def audit_office(self) -> Office:
        return self.case.office

    @property
    def audit_institution(self) -> Institution:
        return self.case.institution


class Decision(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class NoticeResponse(models.Model):
    """The institution's answer to a notice, and the office's decision on it."""

    notice = models.ForeignKey(
        RectificationNotice, on_delete=models.CASCADE, related_name="responses"
    )
    text = models.TextField(_("remedy"))
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["responded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.notice_id}/{self.pk}"


class ResponseEvidence(models.Model):
    """A file the institution attached to its answer as evidence of the remedy."""

    response = models.ForeignKey(NoticeResponse, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="escalation/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class EventVerb(models.TextChoices):
    RAISED = "raised", _("Case raised")
    JOINED = "joined", _("A further cause joined")
    CLIMBED = "climbed", _("Unacted past the deadline: moved to the parent office")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    TALK = "talk", _("Supervisory talk recorded")
    INSPECTION = "inspection", _("Follow-up inspection recorded")
    NOTICE_ISSUED = "notice_issued", _("Rectification notice issued")
    NOTICE_ANSWERED = "notice_answered", _("The institution answered the notice")
    REMEDY_ACCEPTED = "remedy_accepted", _("Remedy accepted")
    REMEDY_REJECTED = "remedy_rejected", _("Remedy rejected")
    CLOSED = "closed", _("Closed")


class CaseEvent(models.Model):
    """One line of a case's history."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    verb = models.CharField(max_length=20, choices=EventVerb.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    to_office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.verb}"
