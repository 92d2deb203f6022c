"""Return requests, filings and what validation found in them."""

from datetime import date
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Branch, Institution, Office


class RequestSource(models.TextChoices):
    SCHEDULE = "schedule", _("Periodic schedule")
    SCREENING = "screening", _("Screening task")
    OFFICE = "office", _("Requested by an office")


class _Filed(Protocol):
    """A model with the filer's foreign keys, as ``FiledBy`` needs them."""

    @property
    def institution(self) -> Institution: ...
    @property
    def branch(self) -> Branch | None: ...


class FiledBy:
    """What a request and a filing share: the filer is a branch, or else the institution."""

    @property
    def filer_name(self: _Filed) -> str:
        return str(self.branch or self.institution)

    @property
    def audit_office(self: _Filed) -> Office:
        # Without a branch_id the relation is None, read without a query.
        return self.branch.office if self.branch is not None else self.institution.office

    @property
    def audit_institution(self: _Filed) -> Institution:
        return self.institution


class ReturnRequest(FiledBy, models.Model):
    """Who must file which spec for which period, by when."""

    spec_code = models.CharField(_("return"), max_length=40)
    spec_version = models.CharField(_("version"), max_length=10)
    period = models.CharField(_("period"), max_length=20)  # "2025Q3", or a task's label
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="return_requests"
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="return_requests"
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="return_requests",
        verbose_name=_("requesting office"),
    )
    due_date = models.DateField(_("due date"))
    source = models.CharField(max_length=20, choices=RequestSource.choices)
    # A task's own key (e.g. "screening-assignment:42"), so services can find their requests.
    source_ref = models.CharField(max_length=60, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopened_until = models.DateField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        ordering = ["-due_date", "spec_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["spec_code", "period", "institution", "source_ref"],
                condition=models.Q(branch__isnull=True),
                name="one_request_per_institution_period",
            ),
            models.UniqueConstraint(
                fields=["spec_code", "period", "branch", "source_ref"],
                condition=models.Q(branch__isnull=False),
                name="one_request_per_branch_period",
            ),
        ]
        indexes = [models.Index(fields=["spec_code", "period"])]

    def __str__(self) -> str:
        return f"{self.spec_code} {self.period} {self.filer_name}"

    def is_open_on(self, day: date) -> bool:
        if self.closed_at is None:
            return True
        return self.reopened_until is not None and day <= self.reopened_until


class FilingStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    VALIDATING = "validating", _("Validating")
    REJECTED = "rejected", _("Rejected by validation")
    NEEDS_CONFIRMATION = "needs_confirmation", _("Warnings to confirm")
    VALID = "valid", _("Valid")
    SUBMITTED = "submitted", _("Signed and submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned by the reviewer")


PENDING_STATUSES = (FilingStatus.RECEIVED, FilingStatus.VALIDATING)


class FilingSource(models.TextChoices):
    WEB = "web", _("Web upload")
    API = "api", _("API file upload")
    JSON = "json", _("API rows (JSON)")


class Filing(FiledBy, models.Model):
    """One upload against a request (or a check-only trial): the stored file and its fate."""

    request = models.ForeignKey(
        ReturnRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="filings"
    )
    spec_code = models.CharField(_("return"), max_length=40)
    spec_version = models.CharField(_("version"), max_length=10)
    period = models.CharField(_("period"), max_length=20, blank=True)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="filings")
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, null=True, blank=True, related_name="filings"
    )
    check_only = models.BooleanField(
        _("check only"), default=False, help_text=_("A trial: validated, never filed.")
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    file = models.FileField(upload_to="filings/%Y/%m/", max_length=300, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size"), default=0)
    # What the client said it sent; a stored file shorter than this was cut off in transit.
    declared_size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=10, choices=FilingSource.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="filings"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    is_late = models.BooleanField(_("late"), default=False)

    status = models.CharField(
        max_length=20, choices=FilingStatus.choices, default=FilingStatus.RECEIVED, db_index=True
    )
    phase = models.CharField(max_length=20, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    attempts = models.PositiveSmallIntegerField(default=0)
    requeued = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)

    receipt_number = models.CharField(max_length=40, null=True, blank=True, unique=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_filings",
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_filings",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    is_current = models.BooleanField(
        default=False, help_text=_("The accepted version in force for its request.")
    )

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        ordering = ["-uploaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "version"],
                condition=models.Q(check_only=False),
                name="one_version_number_per_request",
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=models.Q(is_current=True),
                name="one_current_filing_per_request",
            ),
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.spec_code} {self.period} v{self.version} ({self.original_name})"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES

    @property
    def file_deleted(self) -> bool:
        """Its file was deleted after the retention days of trials and rejected versions
        (``reporting.retention``); the report stays."""
        rejected = self.check_only or self.status == FilingStatus.REJECTED
        return rejected and not self.file and bool(self.sha256)


# Statuses a newer upload replaces: the filer moved on to the next version. A submitted version
# still awaits its decision; an accepted one is replaced only when a later one is accepted.
REPLACEABLE_STATUSES = (
    FilingStatus.REJECTED,
    FilingStatus.NEEDS_CONFIRMATION,
    FilingStatus.VALID,
    FilingStatus.RETURNED,
)


def newer_version_exists() -> models.Exists:
    """True for a filing whose request has a later version (trials aside)."""
    return models.Exists(
        Filing.objects.filter(
            request=models.OuterRef("request"),
            check_only=False,
            version__gt=models.OuterRef("version"),
        )
    )


def superseded() -> models.Q:
    """Filings a newer version replaced: a version uploaded again before it was signed (or
    after it was rejected or returned), or an accepted version a later acceptance took out of
    force. Such a version asks nothing of anyone any more."""
    replaceable = models.Q(status__in=REPLACEABLE_STATUSES) | models.Q(
        status=FilingStatus.ACCEPTED, is_current=False
    )
    return models.Q(check_only=False) & replaceable & models.Q(newer_version_exists())


class RuleHit(models.Model):
    """One broken rule in one filing: how often, and the first examples (sheet, cell, value)."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="hits")
    code = models.CharField(max_length=20)
    rule_class = models.CharField(max_length=20)
    severity = models.CharField(max_length=10)
    count = models.PositiveIntegerField()
    examples = models.JSONField(default=list)

    class Meta:
        ordering = ["filing", "code"]
        constraints = [models.UniqueConstraint(fields=["filing", "code"], name="one_hit_per_rule")]

    def __str__(self) -> str:
        return f"{self.code} x{self.count}"

    @property
    def rule(self):
        from reporting.specs import rule_of

        return rule_of(self.filing.spec_code, self.filing.spec_version, self.code)


class WarningConfirmation(models.Model):
    """An approver's confirmation of one warning rule, covering all of its hits."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="confirmations")
    code = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["filing", "code"], name="one_confirmation_per_rule")
        ]

    def __str__(self) -> str:
        return f"{self.code} confirmed by {self.confirmed_by_id}"


class FilingRow(models.Model):
    """One data row of a validated filing, typed values by column key."""

    # The one index is (filing, key): rows are read by filing, or looked up by their key.
    # No database constraint: a million rows would otherwise be a million deferred checks at
    # commit. Their integrity is the filing's: rows are written only in the transaction that
    # holds the filing's row lock (``pipeline._store``, ``history.write``), and deleted with it
    # by Django's cascade.
    filing = models.ForeignKey(
        Filing, on_delete=models.CASCADE, related_name="rows", db_index=False, db_constraint=False
    )
    row = models.PositiveIntegerField()  # the Excel row number
    key = models.CharField(max_length=60)
    data = models.JSONField()

    class Meta:
        ordering = ["filing", "row"]
        indexes = [models.Index(fields=["filing", "key"])]

    def __str__(self) -> str:
        return f"row {self.row} of filing {self.filing_id}"

    def values(self, spec) -> dict:
        """The row's values by column key, typed: Decimal amounts and rates, int counts, dates,
        booleans for flags, text otherwise (None for a blank cell)."""
        return {c.key: typed_value(c, v) for c, v in zip(spec.columns, self.data, strict=True)}


def typed_value(column, text: str | None):
    if text is None:
        return None
    if column.type == "count":
        return int(text)
    if column.is_numeric:
        return Decimal(text)
    if column.type == "flag":
        return text == "Y"
    if column.type == "date":
        return date.fromisoformat(text)
    return text


class LprRate(models.Model):
    """The one-year loan prime rate by month, which price rules read."""

    month = models.DateField(unique=True)
    one_year = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("loan prime rate")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.one_year}%"

    @classmethod
    def on(cls, day: date):
        rate = cls.objects.filter(month__lte=day).order_by("-month").first()
        return rate.one_year if rate else None
