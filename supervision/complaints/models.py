"""SME owners' service complaints against a bank or insurer, their timeline and attachments.

A complaint hangs on the tree three ways: its owner (who filed it), its institution and
branch (who must answer it), and its office (the one supervising the branch, whose desk it
reaches when unanswered or rejected). The deadline is a date column that beat sweeps.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.models import Branch, Division, Institution, Office


class Category(models.TextChoices):
    CREDIT = "credit", _("Credit refused or delayed")
    FEES = "fees", _("Fees and charges")
    RATES = "rates", _("Interest rates")
    RENEWAL = "renewal", _("Loan renewal")
    COLLATERAL = "collateral", _("Collateral demands")
    TIED_PRODUCTS = "tied_products", _("Tied products")
    ATTITUDE = "attitude", _("Service attitude")
    DATA = "data", _("Data and privacy")
    OTHER = "other", _("Other")


class ComplaintStatus(models.TextChoices):
    FILED = "filed", _("Filed, awaiting the institution")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the institution")
    INFO_REQUESTED = "info_requested", _("More information requested")
    ANSWERED = "answered", _("Answered, awaiting the owner")
    ACCEPTED = "accepted", _("Answer accepted")
    AT_OFFICE = "at_office", _("On the office's desk")
    MEDIATING = "mediating", _("In mediation")
    CLOSED = "closed", _("Closed")

    @classmethod
    def awaiting_answer(cls) -> list[str]:
        """The institution still owes an answer: the clock runs."""
        return [cls.FILED, cls.ACKNOWLEDGED, cls.INFO_REQUESTED]

    @classmethod
    def finished(cls) -> list[str]:
        return [cls.ACCEPTED, cls.CLOSED]

    @classmethod
    def on_desk(cls) -> list[str]:
        """On the office's desk: unanswered in time, or the answer rejected by the owner."""
        return [cls.AT_OFFICE, cls.MEDIATING]


class Complexity(models.TextChoices):
    SIMPLE = "simple", _("Simple")
    COMPLEX = "complex", _("Complex")


class Outcome(models.TextChoices):
    EXPLAINED = "explained", _("Explained: no fault found")
    RELIEF = "relief", _("Resolved with relief")
    PARTIAL = "partial", _("Partly resolved")
    DECLINED = "declined", _("Request declined")
    NOT_OURS = "not_ours", _("Outside the institution's remit")


class DeskReason(models.TextChoices):
    OVERDUE = "overdue", _("Not answered in time")
    REJECTED = "rejected", _("Answer rejected by the owner")


class Complaint(models.Model):
    # Made from the row's id once inserted; NULL until then keeps it unique.
    reference = models.CharField(  # noqa: DJ001
        _("reference number"), max_length=20, unique=True, null=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("filed by"),
    )
    # The enterprise and its legal representative, as the 2020 complaint rules ask of a
    # corporate complainant. Personal data: never in exports.
    enterprise_name = models.CharField(_("enterprise"), max_length=200)
    enterprise_credit_code = models.CharField(_("unified social credit code"), max_length=18)
    legal_representative = models.CharField(_("legal representative"), max_length=100)
    address = models.CharField(_("address"), max_length=300)
    contact_phone = models.CharField(_("contact phone"), max_length=30)

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="complaints"
    )
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="complaints")
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("supervising office"),
    )
    county = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("county")
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("what happened"), max_length=5000)
    wish = models.TextField(_("what you ask for"), max_length=2000)

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.FILED,
    )
    complexity = models.CharField(
        _("complexity"), max_length=10, choices=Complexity.choices, default=Complexity.SIMPLE
    )
    filed_at = models.DateTimeField(_("filed"), auto_now_add=True)
    # The clock: the answer is due by the end of this day; beat moves it to the office's desk
    # the day after. A transfer keeps it.
    due_on = models.DateField(_("answer due"))
    extended = models.BooleanField(_("deadline extended"), default=False)
    # The deadline the institution was last reminded of; a new deadline earns a new reminder.
    reminded_for = models.DateField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    first_answered_at = models.DateTimeField(null=True, blank=True)
    # Set by the system when an answer comes after ``due_on``; nobody chooses it.
    answered_late = models.BooleanField(_("answered late"), default=False)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    desk_reason = models.CharField(max_length=10, choices=DeskReason.choices, blank=True)
    at_office_since = models.DateTimeField(null=True, blank=True)
    substantive = models.BooleanField(_("substantive"), null=True)
    substantive_reason = models.TextField(blank=True)
    substantive_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-filed_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["institution", "filed_at"]),
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    # Where its audit events are readable (see portal.audit._placement).
    @property
    def audit_office(self) -> Office:
        return self.office

    @property
    def audit_institution(self) -> Institution:
        return self.institution

    @property
    def is_open(self) -> bool:
        return self.status not in ComplaintStatus.finished()

    @property
    def awaits_answer(self) -> bool:
        return self.status in ComplaintStatus.awaiting_answer()


class LinkKind(models.TextChoices):
    DUPLICATE = "duplicate", _("Duplicate")
    RELATED = "related", _("Related")


class EventKind(models.TextChoices):
    FILED = "filed", _("Complaint filed")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the institution")
    INFO_REQUESTED = "info_requested", _("The institution asked for more information")
    INFO_GIVEN = "info_given", _("The owner gave more information")
    EXTENDED = "extended", _("Deadline extended")
    ANSWERED = "answered", _("The institution answered")
    ACCEPTED = "accepted", _("The owner accepted the answer")
    REJECTED = "rejected", _("The owner rejected the answer")
    TO_OFFICE = "to_office", _("Moved to the office's desk")
    SUBSTANTIVE = "substantive", _("Assessed by the office")
    MEDIATION = "mediation", _("Mediation by the office")
    CLOSED = "closed", _("Closed by the office")
    LINKED = "linked", _("Linked to another complaint")
    TRANSFERRED = "transferred", _("Transferred")


BANK_STEPS = {
    EventKind.ACKNOWLEDGED,
    EventKind.INFO_REQUESTED,
    EventKind.EXTENDED,
    EventKind.ANSWERED,
}


class ComplaintEvent(models.Model):
    """One step of a complaint's timeline, shown to each party in their own language.

    ``internal`` steps (the office's assessment, links) are the regulator's and the
    institution's, not shown to the owner.
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    text = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    internal = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint} · {self.get_kind_display()}"

    @property
    def party(self) -> str:
        """Who took the step, as the owner's timeline names them."""
        if self.actor_id is None:
            return str(_("The portal"))
        if self.actor_id == self.complaint.owner_id:
            return str(_("The enterprise"))
        if self.kind in BANK_STEPS:
            return str(_("The institution"))
        return str(_("The regulator"))

    @property
    def note(self) -> str:
        """What the step says besides its text, in the reader's language."""
        d = self.details
        if d.get("outcome") in Outcome.values:
            return str(Outcome(d["outcome"]).label)
        if d.get("reason") in DeskReason.values:
            return str(DeskReason(d["reason"]).label)
        if d.get("complexity") in Complexity.values:
            return str(Complexity(d["complexity"]).label)
        if "substantive" in d:
            return str(_("Substantive") if d["substantive"] else _("Not substantive"))
        if d.get("link") in LinkKind.values:
            return f"{LinkKind(d['link']).label}: {d.get('other', '')}"
        if "to_zh" in d:
            return d["to_en"] if (get_language() or "").startswith("en") else d["to_zh"]
        return ""


class Attachment(models.Model):
    """A PDF or image the owner sent with a complaint; its type was read from its bytes."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        ComplaintEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="files"
    )
    file = models.FileField(upload_to="complaints/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class ComplaintLink(models.Model):
    """Two complaints about the same matter; stored once, read from both ends."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="links_out")
    other = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=10, choices=LinkKind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["complaint", "other"], name="complaint_link_once"),
            models.CheckConstraint(
                condition=~models.Q(complaint=models.F("other")), name="complaint_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint} ~ {self.other}"
