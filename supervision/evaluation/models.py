"""The regulatory evaluation: one evaluation per institution and period with its current
result and the history of every scoring, the cycle's state (self-assessment, review,
confirmation, notification, archive), qualitative points, adjustments, evidence, the office's
arrangement for a bank, and the runs that score a whole period."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Institution, Job, Office


class EvaluationStatus(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment by the bank")
    REVIEW = "review", _("Preliminary evaluation and review")
    CONFIRMED = "confirmed", _("Confirmed")
    NOTIFIED = "notified", _("Notified to the bank")
    ARCHIVED = "archived", _("Archived")

    @classmethod
    def frozen(cls) -> list[str]:
        """Confirmed results: scoring leaves them alone until someone reopens them."""
        return [cls.CONFIRMED, cls.NOTIFIED, cls.ARCHIVED]

    @classmethod
    def shown_to_bank(cls) -> list[str]:
        return [cls.NOTIFIED, cls.ARCHIVED]


class Arrangement(models.Model):
    """The office's record for one institution and year: the growth target the office set for
    it, and whether it carries reform or risk-resolution work (a differentiated arrangement).
    The bank files its SME credit plan (SME-CREDIT-PLAN); a plan the office typed here before
    banks filed theirs is kept, read only, as the plan of record for a year with no accepted
    plan."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="arrangements"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    typed_credit_plan = models.DecimalField(
        _("SME credit plan typed by the office before banks filed it (increment, 10k CNY)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )
    # A growth target the office set for the bank (percent since the start of the year):
    # meeting it gives the loan-growth indicator full points, as meeting all loans' growth does.
    growth_target = models.DecimalField(
        _("growth target set by the office (%)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
    )
    differentiated = models.BooleanField(_("differentiated arrangement"), default=False)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("evaluation arrangement")
        constraints = [
            models.UniqueConstraint(fields=["institution", "year"], name="one_arrangement_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.year}"


# "What happens next" on an evaluation's page, by its status.
NEXT_STEPS = {
    EvaluationStatus.SELF_ASSESSMENT: _(
        "The bank scores itself on each item, attaches its evidence and submits the "
        "self-assessment to its supervising office."
    ),
    EvaluationStatus.REVIEW: _(
        "The supervising office reviews the points, adjusts qualitative items with a reason "
        "where needed, and confirms the result."
    ),
    EvaluationStatus.CONFIRMED: _(
        "The office notifies the bank of its result; until then the bank does not see it."
    ),
    EvaluationStatus.NOTIFIED: _(
        "The bank has its result. A low grade opens an escalation case at the supervising office."
    ),
    EvaluationStatus.ARCHIVED: _("Nothing more: the evaluation is archived."),
}


class Evaluation(models.Model):
    """One institution's evaluation for one year (``period`` is the year, "2025"), on the
    year's figures: Q4 against the Q4 before. Opened by the calendar once the Q4 returns are
    due (``services.opens_on``); quarters feed monitoring only (``MonitoringScore``)."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="evaluations"
    )
    period = models.CharField(_("period"), max_length=20)
    scheme_version = models.CharField(_("scheme"), max_length=10)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.SELF_ASSESSMENT,
    )
    # The current result (scoring.Result.as_dict()) and its headline figures for rankings.
    result = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64, blank=True)
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=2, null=True)
    regular = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True)
    band = models.CharField(max_length=1, blank=True)
    complete = models.BooleanField(default=False)
    scored_at = models.DateTimeField(null=True)

    self_submitted_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-period", "-total"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "period"], name="one_evaluation_per_period"
            )
        ]
        indexes = [models.Index(fields=["period", "grade"])]

    def __str__(self) -> str:
        return f"{self.institution} {self.period}"

    @property
    def audit_office(self) -> Office:
        return self.institution.office

    @property
    def audit_institution(self) -> Institution:
        return self.institution

    @property
    def next_step(self) -> str:
        return str(NEXT_STEPS[EvaluationStatus(self.status)])

    @property
    def grade_label(self) -> str:
        return f"{self.grade}{self.band}" if self.grade else ""

    @property
    def is_frozen(self) -> bool:
        return self.status in EvaluationStatus.frozen()

    @property
    def shown_to_bank(self) -> bool:
        return self.status in EvaluationStatus.shown_to_bank()


class MonitoringScore(models.Model):
    """What one institution would score on one quarter's figures: an early warning for the
    office, never an evaluation (no self-assessment, no grade, no review)."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="monitoring_scores"
    )
    period = models.CharField(_("quarter"), max_length=20)
    scheme_version = models.CharField(_("scheme"), max_length=10)
    result = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64, blank=True)
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=2, null=True)
    regular = models.DecimalField(max_digits=7, decimal_places=2, null=True)
    complete = models.BooleanField(default=False)
    scored_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("monitoring score")
        ordering = ["institution", "-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "period"], name="one_monitoring_score_a_quarter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.period} {self.total}"


class ScoreRecord(models.Model):
    """One scoring of an evaluation that changed its result: the history, never rewritten."""

    class Cause(models.TextChoices):
        FILING = "filing", _("A return was accepted")
        PERIOD = "period", _("The period was scored")
        REVIEW = "review", _("Review")
        REOPEN = "reopen", _("Reopened")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="history")
    scored_at = models.DateTimeField()
    cause = models.CharField(max_length=10, choices=Cause.choices)
    scheme_version = models.CharField(max_length=10)
    total = models.DecimalField(max_digits=7, decimal_places=2)
    grade = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=1)
    complete = models.BooleanField()
    # The explanations live on the evaluation (the current result); history keeps the
    # headline figures and the result's fingerprint, a tenth of the bytes to write. Records
    # written before keep their whole result (the column stays: migrations only add).
    fingerprint = models.CharField(max_length=64, default="")
    result = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["evaluation", "-scored_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.scored_at:%Y-%m-%d %H:%M} {self.total}"


class QualitativeScore(models.Model):
    """One qualitative item: the bank's own points and note, and the reviewer's points."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="qualitative")
    code = models.CharField(max_length=10)
    self_points = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    self_note = models.TextField(blank=True)
    points = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    note = models.TextField(blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "code"], name="one_score_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.code}"


class PointAdjustment(models.Model):
    """A reviewer's change to a computed indicator's points, with the reason."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="adjustments")
    code = models.CharField(max_length=10)
    points = models.DecimalField(max_digits=5, decimal_places=2)
    reason = models.TextField()
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    adjusted_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "code"], name="one_adjustment_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.code} -> {self.points}"


class Evidence(models.Model):
    """A document the bank attaches to a qualitative item of its self-assessment."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="evidence")
    code = models.CharField(max_length=10)
    file = models.FileField(upload_to="evaluation/%Y/", max_length=300)
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class ScoringRun(Job):
    """An office's request to score every institution under it for a period."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="scoring_runs")
    period = models.CharField(_("period"), max_length=20)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    scored = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    frozen = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.office} {self.period} {self.status}"


class DataSample(models.Model):
    """An office's reproducible random sample of rows of accepted returns in its subtree, a
    few rows per institution, drawn with a stored seed."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="data_samples")
    period = models.CharField(_("period"), max_length=20)
    spec_code = models.CharField(_("return"), max_length=40)
    seed = models.PositiveIntegerField(_("seed"))
    per_institution = models.PositiveSmallIntegerField(_("rows per institution"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("data sample")
        ordering = ["-drawn_at"]

    def __str__(self) -> str:
        return f"{self.spec_code} {self.period} #{self.pk}"

    @property
    def audit_office(self) -> Office:
        return self.office


class SampleFinding(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    CONFIRMED = "confirmed", _("Confirmed as reported")
    CORRECTED = "corrected", _("Corrected by the bank")
    MISREPORTED = "misreported", _("Misreported")


class SampledRow(models.Model):
    """One sampled row and what checking it found."""

    sample = models.ForeignKey(DataSample, on_delete=models.CASCADE, related_name="rows")
    filing_row = models.ForeignKey(
        "reporting.FilingRow", on_delete=models.PROTECT, related_name="+"
    )
    filing = models.ForeignKey("reporting.Filing", on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(
        "portal.Branch", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finding = models.CharField(
        _("finding"), max_length=12, choices=SampleFinding.choices, default=SampleFinding.PENDING
    )
    note = models.TextField(_("evidence"), blank=True)
    evidence = models.FileField(upload_to="sampling/%Y/", max_length=300, blank=True)
    evidence_name = models.CharField(max_length=255, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sample", "institution", "filing", "filing_row"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "filing_row"], name="one_draw_per_row")
        ]

    def __str__(self) -> str:
        return f"{self.sample} row {self.filing_row_id}"

    @property
    def audit_office(self) -> Office:
        return self.sample.office

    @property
    def audit_institution(self) -> Institution:
        return self.institution


class AreaArrangement(models.Model):
    """A differentiated arrangement for an area for one year (the 2025 notice III(III)): every
    institution supervised in the office's subtree, the area of its division code, is scored
    by the scheme's differentiated rules, as one bank with an arrangement of its own is."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="area_arrangements", verbose_name=_("area")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    reason = models.TextField(_("reason"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("area arrangement")
        ordering = ["-year", "office__path"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="one_area_arrangement_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.year}"

    @property
    def audit_office(self) -> Office:
        return self.office


class GroupRule(models.TextChoices):
    """Who belongs to a target group: institutions of these kinds supervised in the defining
    office's area (the 2025 notice III(III): large and joint-stock banks as a group, local
    legal-person banks "overall" per province), or the list the office chose."""

    LARGE = "large", _("Large commercial banks")
    JOINT_STOCK = "joint_stock", _("Joint-stock commercial banks")
    LOCAL_LEGAL_PERSON = "local_legal_person", _("Local legal-person banks of the area")
    LIST = "list", _("The institutions listed")


class TargetGroup(models.Model):
    """A group of institutions with a growth target for one year, set by a head of office: the
    group's figure is computed from its members' accepted returns, and the scheme says what a
    member gets when the group met the target and it alone did not."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="target_groups", verbose_name=_("area")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=100)
    rule = models.CharField(_("members"), max_length=20, choices=GroupRule.choices)
    listed = models.ManyToManyField(Institution, blank=True, related_name="target_groups")
    target = models.DecimalField(_("group growth target (%)"), max_digits=7, decimal_places=2)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("target group")
        ordering = ["-year", "office__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "year", "name"], name="one_group_name_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}"

    @property
    def audit_office(self) -> Office:
        return self.office
