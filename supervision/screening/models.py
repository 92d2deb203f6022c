"""Enterprise screening: a task's enterprise list flows down the office tree (delegation to
child offices), is assigned to banks (each assignment a return request for SCREENING-RESULT),
and the banks' answers roll back up.

Every row that hangs on the tree keeps its office's materialised path, so that "everything
under this office" is one indexed prefix query, as for the tree itself.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Branch, Institution, Job, Office
from portal.models.jobs import status_field
from reporting.models import Filing, ReturnRequest

PATH_PATTERN = ["varchar_pattern_ops"]  # LIKE 'prefix%' uses the index on PostgreSQL


class KeyArea(models.TextChoices):
    FOREIGN_TRADE = "foreign_trade", _("Foreign trade")
    PRIVATE = "private", _("Private enterprises")
    TECHNOLOGY = "technology", _("Technology (specialised and innovative)")
    CONSUMPTION = "consumption", _("Consumption")
    ACCOMMODATION_CATERING = "accommodation_catering", _("Accommodation and catering")
    CULTURE_TOURISM = "culture_tourism", _("Culture and tourism")
    INDIVIDUAL = "individual", _("Individual businesses")
    MANUFACTURING = "manufacturing", _("Manufacturing")


class ScreeningTask(models.Model):
    """An office's screening task: what it is for, by when, and its enterprise list."""

    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    key_areas = models.JSONField(_("key areas"), default=list, blank=True)
    deadline = models.DateField(_("deadline"))
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="screening_tasks", verbose_name=_("office")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept with the task so that lists need not count 200,000 rows per task.
    enterprise_count = models.PositiveIntegerField(_("enterprises"), default=0)
    # The uploaded list, kept as filed; a large one is read by a worker (see ScreeningJob).
    list_file = models.FileField(upload_to="screening/%Y/%m/", max_length=300, blank=True)

    class Meta:
        verbose_name = _("screening task")
        verbose_name_plural = _("screening tasks")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_office(self) -> Office:
        return self.office

    @property
    def period(self) -> str:
        """The period label of the task's return requests."""
        return f"SCR-{self.pk}"

    def key_area_labels(self) -> list[str]:
        labels = dict(KeyArea.choices)
        return [str(labels.get(area, area)) for area in self.key_areas]


class Delegation(models.Model):
    """An office's share of a task: the creating office's (no parent) or one delegated to a
    child office by its parent's share."""

    task = models.ForeignKey(ScreeningTask, on_delete=models.CASCADE, related_name="delegations")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    office_path = models.CharField(max_length=255)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "office"], name="one_share_per_office")
        ]
        indexes = [
            models.Index(
                fields=["office_path"], name="delegation_path_prefix", opclasses=PATH_PATTERN
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.office}"

    @property
    def audit_office(self) -> Office:
        return self.office


class Assignment(models.Model):
    """Enterprises an office gave one bank (or one branch) to contact, answered through the
    return request opened for it (SCREENING-RESULT)."""

    class Rule(models.TextChoices):
        MANUAL = "manual", _("Chosen by the office")
        ROUND_ROBIN = "round_robin", _("Round robin among the banks in the county")
        RELATIONSHIP = "relationship", _("Existing relationship, else round robin")

    task = models.ForeignKey(ScreeningTask, on_delete=models.CASCADE, related_name="assignments")
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigning office")
    )
    office_path = models.CharField(max_length=255)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="screening_assignments"
    )
    branch = models.ForeignKey(
        Branch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="screening_assignments",
    )
    request = models.OneToOneField(
        ReturnRequest, null=True, on_delete=models.PROTECT, related_name="screening_assignment"
    )
    due_date = models.DateField(_("due date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Timers swept by beat: when the reminder before the due date and the overdue notice went.
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("screening assignment")
        verbose_name_plural = _("screening assignments")
        ordering = ["task", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "office", "institution"],
                condition=models.Q(branch__isnull=True),
                name="one_assignment_per_institution",
            ),
            models.UniqueConstraint(
                fields=["task", "office", "branch"],
                condition=models.Q(branch__isnull=False),
                name="one_assignment_per_branch",
            ),
        ]
        indexes = [
            models.Index(
                fields=["office_path"], name="assignment_path_prefix", opclasses=PATH_PATTERN
            ),
            models.Index(fields=["due_date"], name="assignment_due"),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.filer_name}"

    @property
    def filer_name(self) -> str:
        return str(self.branch or self.institution)

    @property
    def source_ref(self) -> str:
        return f"screening-assignment:{self.pk}"

    @property
    def audit_office(self) -> Office:
        return self.office

    @property
    def audit_institution(self) -> Institution:
        return self.institution


class Decision(models.TextChoices):
    """A bank's answer for one enterprise (the SCREENING-RESULT decision column)."""

    GRANTED = "granted", _("Credit granted")
    DECLINED = "declined", _("Declined")
    PENDING = "pending", _("Pending")
    NO_NEED = "no_need", _("No need")
    UNREACHABLE = "unreachable", _("Unreachable")


class Outcome(models.Model):
    """A bank's answer for one enterprise, as its accepted result filing gave it."""

    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    decline_reason = models.CharField(_("decline reason"), max_length=30, blank=True)
    credit_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    loan_amount = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    rate = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    first_time = models.BooleanField(null=True, blank=True)
    contact_date = models.DateField(null=True, blank=True)

    OUTCOME_FIELDS = (
        "decision",
        "decline_reason",
        "credit_amount",
        "loan_amount",
        "rate",
        "first_time",
        "contact_date",
    )

    class Meta:
        abstract = True


class TaskEnterprise(Outcome):
    """One enterprise of a task's list, where it now sits (the office holding it, and the
    assignment it was last given to) and the current answer for it, kept here so that the
    roll-up is one aggregate over one table."""

    # No index of their own: (task, holder_path) below serves both, and every index is one
    # more write for each of the 200,000 rows a delegation moves.
    task = models.ForeignKey(
        ScreeningTask, on_delete=models.CASCADE, related_name="enterprises", db_index=False
    )
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    name = models.CharField(_("enterprise name"), max_length=200)
    entity_type = models.CharField(_("entity type"), max_length=20, blank=True)
    size = models.CharField(_("size"), max_length=10, blank=True)
    industry = models.CharField(_("industry"), max_length=3, blank=True)
    county = models.CharField(_("county"), max_length=6)
    contact = models.CharField(_("contact person"), max_length=60, blank=True)
    phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    need_amount = models.DecimalField(
        _("financing need"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    need_term = models.PositiveIntegerField(_("term wanted (months)"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    list_status = models.CharField(_("status"), max_length=20, blank=True)
    # The holder and the assignment have no database foreign key (as ingest's stored rows):
    # a delegation or an assignment rewrites them for 200,000 rows, which would be as many
    # deferred checks at commit. Only the screening services' statements write them, with
    # ids of rows they join or create in the same transaction; Django's on_delete still
    # protects, nulls and cascades (offices and assignments are not deleted by users).
    holder = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("holding office"),
        db_index=False,
        db_constraint=False,
    )
    holder_path = models.CharField(max_length=255)
    assignment = models.ForeignKey(
        Assignment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprises",
        db_constraint=False,
    )
    # When its current assignment was given (the push; that entry's ``assigned_at``), kept
    # here so that the days from push are measured over this one table.
    pushed_at = models.DateTimeField(null=True, blank=True)

    # not stored: set by the enterprise's page (follow_up.link_later_grants), for its template
    granted_later: list["TaskEnterprise"]

    class Meta:
        verbose_name = _("task enterprise")
        verbose_name_plural = _("task enterprises")
        # By id, not "task": that would follow the task's own ordering through a join.
        ordering = ["task_id", "credit_code"]
        constraints = [
            models.UniqueConstraint(fields=["task", "credit_code"], name="enterprise_once_per_task")
        ]
        indexes = [
            models.Index(
                fields=["task", "holder_path"],
                name="enterprise_holding",
                opclasses=["int8_ops", *PATH_PATTERN],
            ),
            models.Index(fields=["credit_code"], name="enterprise_credit_code"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.credit_code})"


class AssignmentEntry(Outcome):
    """One enterprise in one assignment, with that bank's answer: the history of who was
    asked about an enterprise and what each said, kept when it is assigned again."""

    # No index of its own: the unique (assignment, enterprise) below leads with it, and each
    # index is one more write for each of the 200,000 entries an assignment inserts. Neither
    # has a database foreign key, as the enterprise's own (see TaskEnterprise.holder).
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        related_name="entries",
        db_index=False,
        db_constraint=False,
    )
    enterprise = models.ForeignKey(
        TaskEnterprise, on_delete=models.CASCADE, related_name="entries", db_constraint=False
    )
    # Indexed only where set (below): every entry is inserted without a filing. No database
    # foreign key either: results are taken in for all of an assignment's entries at once.
    filing = models.ForeignKey(
        Filing,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    decline_label: str  # not stored: set by the pages that list entries, for their templates

    class Meta:
        ordering = ["enterprise", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "enterprise"], name="enterprise_once_per_assignment"
            )
        ]
        indexes = [
            models.Index(
                fields=["filing"], name="entry_filing", condition=models.Q(filing__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.assignment.filer_name}"


class ScreeningJob(Job):
    """Screening work too large for a page: reading a task's list, or passing a large share
    on. The page queues it, a worker runs it (once: it is claimed under a row lock) and the
    task page follows its status."""

    class Kind(models.TextChoices):
        LOAD_LIST = "load_list", _("Reading the enterprise list")
        DELEGATE_BY_COUNTY = "delegate_by_county", _("Delegating by county")
        DELEGATE = "delegate", _("Delegating to a child office")
        AUTO_ASSIGN = "auto_assign", _("Assigning automatically")
        ASSIGN = "assign", _("Assigning by hand")
        REASSIGN_DECLINED = "reassign_declined", _("Assigning declined enterprises again")
        PASS_DOWN = "pass_down", _("Delegating to every county and assigning")

    task = models.ForeignKey(ScreeningTask, on_delete=models.CASCADE, related_name="jobs")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    params = models.JSONField(default=dict, blank=True)
    status = status_field(db_column="state")  # the column's name from before ``Job``
    # What it did (counts, by kind), or why it could not: shown in the reader's language.
    result = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    text: str  # not stored: what it did, set by the task page (views._jobs) for its template

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["task", "status"], name="screening_job_state")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.task}"

    @property
    def audit_office(self) -> Office:
        return self.office


class EnterpriseCount(models.Model):
    """The enterprises of a task counted per holding office, decision, decline reason and
    whether assigned, with the sums the roll-up needs: kept by triggers on the enterprises'
    table (PostgreSQL; see migration ``screening_enterprise_counts``) in the transaction of
    every statement that creates, passes down, assigns, answers or removes them, whichever
    service or bulk statement it is, so that a national roll-up adds up a few thousand rows
    instead of scanning five million. Sums cover every row of the group; the roll-up applies
    its decision filters (each is by decision) when it adds them up."""

    # No database key: the rows go with their task (bench.remove and the cascade below).
    task = models.ForeignKey(
        ScreeningTask, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    holder_path = models.CharField(max_length=255)
    decision = models.CharField(max_length=20)
    decline_reason = models.CharField(max_length=30)
    assigned = models.BooleanField()
    enterprises = models.BigIntegerField(default=0)
    first_time = models.BigIntegerField(default=0)  # rows with first_time true
    credit = models.DecimalField(max_digits=30, decimal_places=2, default=0)
    loans = models.DecimalField(max_digits=30, decimal_places=2, default=0)
    rate_sum = models.DecimalField(max_digits=30, decimal_places=2, default=0)
    rated = models.BigIntegerField(default=0)  # rows with a rate
    rate_weight = models.DecimalField(max_digits=40, decimal_places=4, default=0)
    rated_loans = models.DecimalField(max_digits=30, decimal_places=2, default=0)
    need = models.DecimalField(max_digits=30, decimal_places=2, default=0)  # need > 0 only
    credit_of_need = models.DecimalField(max_digits=30, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task", "holder_path", "decision", "decline_reason", "assigned"],
                name="enterprise_count_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.holder_path} {self.decision}: {self.enterprises}"
