"""SME owners' service complaints against a bank or insurer, their timeline and attachments.

A complaint hangs on the tree three ways: its owner (who filed it), its institution and
branch (who must answer it), and its office (the one supervising the branch, whose desk it
reaches when unanswered or rejected). The deadline is a date column that beat sweeps.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
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
    NO_FEEDBACK = "no_feedback", _("Answered, no feedback")
    REFERRED = "referred", _("Referred to another body")

    @classmethod
    def awaiting_answer(cls) -> list[str]:
        """The institution still owes an answer: the clock runs."""
        return [cls.FILED, cls.ACKNOWLEDGED, cls.INFO_REQUESTED]

    @classmethod
    def finished(cls) -> list[str]:
        return [cls.ACCEPTED, cls.CLOSED, cls.NO_FEEDBACK, cls.REFERRED]

    @classmethod
    def rateable(cls) -> list[str]:
        """Closed after handling the owner can judge (a referral was handled elsewhere)."""
        return [cls.ACCEPTED, cls.CLOSED, cls.NO_FEEDBACK]

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


# "What happens next" on a complaint's page, by its status (%(due)s: the answer's due date).
NEXT_STEPS = {
    ComplaintStatus.FILED: _(
        "The institution acknowledges the complaint and must answer it by %(due)s."
    ),
    ComplaintStatus.ACKNOWLEDGED: _(
        "The institution is looking into the complaint and must answer it by %(due)s."
    ),
    ComplaintStatus.INFO_REQUESTED: _(
        "The institution waits for the information it asked the complainant for, then answers."
    ),
    ComplaintStatus.ANSWERED: _(
        "The complainant accepts the answer, or does not and the supervising office takes the "
        "complaint."
    ),
    ComplaintStatus.ACCEPTED: _(
        "The complaint is resolved. The complainant may rate how it was handled."
    ),
    ComplaintStatus.AT_OFFICE: _(
        "The supervising office assesses the complaint, then mediates, transfers or closes it."
    ),
    ComplaintStatus.MEDIATING: _(
        "The supervising office mediates between the complainant and the institution, then "
        "closes the complaint with what was agreed."
    ),
    ComplaintStatus.CLOSED: _("Nothing more: the complaint is closed and its record kept."),
    ComplaintStatus.NO_FEEDBACK: _(
        "Nothing more: the complainant gave no feedback on the answer in time, so it stands."
    ),
    ComplaintStatus.REFERRED: _("The body the complaint was referred to handles it from here."),
}


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
    # The owner's window to accept or reject an answer; beat closes it as "answered, no
    # feedback" the day after.
    feedback_due_on = models.DateField(_("feedback due"), null=True, blank=True)
    # The office's own deadline for what reaches its desk; past it, a cause for escalation.
    desk_due_on = models.DateField(_("office's deadline"), null=True, blank=True)
    # The owner's verdict on the handling, once closed (2023 notice (十七): satisfaction as
    # the yardstick).
    rating = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    solved = models.BooleanField(_("problem solved"), null=True, blank=True)
    rating_comment = models.CharField(_("comment on the handling"), max_length=500, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-filed_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["institution", "filed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="complaint_rating_1_to_5",
            ),
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

    @property
    def may_be_rated(self) -> bool:
        return self.status in ComplaintStatus.rateable() and self.rating is None

    @property
    def next_step(self) -> str:
        return str(NEXT_STEPS[ComplaintStatus(self.status)]) % {"due": f"{self.due_on:%Y-%m-%d}"}


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
    NO_FEEDBACK = "no_feedback", _("Closed: answered, no feedback")
    RATED = "rated", _("The owner rated the handling")
    REFERRED = "referred", _("Referred to another body")


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
        if "rating" in d:
            solved = _("problem solved") if d.get("solved") else _("problem not solved")
            return f"{d['rating']}/5 · {solved}"
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


class BodyKind(models.TextChoices):
    CENTRAL_BANK = "central_bank", _("Central bank branch")
    GOVERNMENT = "government", _("Local government department")
    MARKET = "market", _("Market regulation authority")
    MEDIATION = "mediation", _("Financial dispute mediation body")
    OTHER = "other", _("Other body")


class ReferralBody(models.Model):
    """A body outside the regulator's tree that takes complaints it is competent for (the
    12378 hotline's practice): a maintained list, loaded from ``referral_bodies.json`` by
    ``manage.py load_referral_bodies`` and kept in the admin."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    # The province or city it serves (its GB/T 2260 code); blank for a national body.
    division_code = models.CharField(_("division code"), max_length=6, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("takes referrals"), default=True)

    class Meta:
        verbose_name = _("referral body")
        verbose_name_plural = _("referral bodies")
        ordering = ["division_code", "code"]

    def __str__(self) -> str:
        if (get_language() or "").startswith("en"):
            return self.name_en
        return self.name_zh


class Referral(models.Model):
    """Where a complaint went outside the tree, with the letters sent, kept for good."""

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, related_name="referral")
    body = models.ForeignKey(ReferralBody, on_delete=models.PROTECT, related_name="referrals")
    reason = models.TextField(_("reason"))
    letter_zh = models.TextField()
    letter_en = models.TextField()
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    referred_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.complaint} -> {self.body.code}"

    @property
    def audit_office(self) -> Office:
        return self.complaint.office

    @property
    def letter(self) -> str:
        """The letter in the reader's language."""
        return self.letter_en if (get_language() or "").startswith("en") else self.letter_zh
