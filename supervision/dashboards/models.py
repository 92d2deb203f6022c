"""What the dashboards read and build: each accepted SME-LOANS row's figures as numbers, and
one row per workbook a regulator asked for, built by a worker."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Division, Institution, Job, Office
from reporting.models import Filing, FilingRow
from reporting.specs import ALL
from supervision.dashboards.indicators import COST_ISSUED, COST_WEIGHT, RATE_WEIGHT

SPEC_CODE = "SME-LOANS"  # the return whose rows the lending dashboards read

# Every numeric column of any SME-LOANS version, each once, in the order versions add them:
# a figure a filing's version lacks is stored blank ("not reported under this version").
LENDING_FIGURES = tuple(
    dict.fromkeys(
        c.key
        for spec in sorted(ALL, key=lambda s: s.version)
        if spec.code == "SME-LOANS"
        for c in spec.columns
        if c.is_numeric
    )
)


class Number(models.DecimalField):
    """A decimal of any size (PostgreSQL's unconstrained numeric), so that a filed figure is
    kept, and summed, exactly as it was filed."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max_digits", 40)
        kwargs.setdefault("decimal_places", 10)
        super().__init__(*args, **kwargs)

    def db_type(self, connection) -> str | None:
        return "numeric" if connection.vendor == "postgresql" else super().db_type(connection)


class LendingRow(models.Model):
    """One county row of an accepted SME-LOANS return with its figures as numbers, written
    when the return is accepted (``supervision.lending_rows``): the dashboards add these up
    rather than read every figure out of the stored text."""

    row = models.OneToOneField(
        FilingRow, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="+")
    # The county as filed: a code unknown to the division table is kept (and placed nowhere).
    county = models.ForeignKey(
        Division, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    class Meta:
        verbose_name = _("lending row")
        verbose_name_plural = _("lending rows")

    def __str__(self) -> str:
        return f"{self.county_id} of filing {self.filing_id}"


for _key in LENDING_FIGURES:
    LendingRow.add_to_class(_key, Number(null=True))


# What a lending summary holds: every summed figure, and the weights of the averaged rates
# (the rate columns of any SME-LOANS version, averaged with a weight, never summed).
RATES = frozenset(
    c.key for s in ALL if s.code == "SME-LOANS" for c in s.columns if c.type == "rate"
)
SUMMARY_FIGURES = (
    *(key for key in LENDING_FIGURES if key not in RATES),
    RATE_WEIGHT,
    COST_WEIGHT,
    COST_ISSUED,
)


class LendingSummary(models.Model):
    """One accepted SME-LOANS return's lending rows summed for one office of the tree: the
    rows of the counties that office's subtree covers (``own``: the counties it covers itself,
    without an office of their own below). Written with the lending rows when a return is
    accepted (``lending_rows.record``): an office's page adds up a row per return at its own
    path, and its child offices' rows, rather than every county row under it."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=255)
    depth = models.PositiveSmallIntegerField()
    own = models.BooleanField()

    class Meta:
        verbose_name = _("lending summary")
        verbose_name_plural = _("lending summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "path", "own"], name="lending_summary_once_per_office"
            )
        ]
        indexes = [
            # An office's summaries (its depth and path) and its children's (the next depth,
            # and a path under its own: LIKE 'prefix%' uses the pattern operator class).
            models.Index(
                fields=["depth", "path"],
                name="lending_summary_office",
                opclasses=["int2_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.path} of filing {self.filing_id}"


for _key in SUMMARY_FIGURES:
    LendingSummary.add_to_class(_key, Number(null=True))


class OfficeLending(models.Model):
    """One office's lending summaries for one quarter, summed over the accepted SME-LOANS
    returns in force (``own``: the counties it covers itself apart, as ``LendingSummary``).
    Rewritten in the transaction that accepts or supersedes a return
    (``period_summaries.refresh``), so that a page seeing every institution reads a row per
    child office rather than one per return."""

    period = models.CharField(max_length=20)
    path = models.CharField(max_length=255)
    depth = models.PositiveSmallIntegerField()
    own = models.BooleanField()
    returns = models.PositiveIntegerField(default=0)  # the returns summed

    class Meta:
        verbose_name = _("office lending")
        verbose_name_plural = _("office lending")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "path", "own"], name="office_lending_once_per_quarter"
            )
        ]
        indexes = [
            # An office's rows and its children's (the next depth, a path under its own).
            models.Index(
                fields=["depth", "path"],
                name="office_lending_office",
                opclasses=["int2_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.path} in {self.period}"


class InstitutionLending(models.Model):
    """One institution's lending in one office's subtree for one quarter: its accepted
    SME-LOANS returns in force (its own and its branches') summed, with how many returns of
    each version were summed. Rewritten with ``OfficeLending``: the ranking of every
    institution on a page reads a row per institution, without adding up returns."""

    period = models.CharField(max_length=20)
    path = models.CharField(max_length=255)
    depth = models.PositiveSmallIntegerField()
    institution = models.ForeignKey(
        Institution, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    # SME-LOANS version -> returns of it summed (versions come with code, not migrations).
    versions = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("institution lending")
        verbose_name_plural = _("institution lending")
        constraints = [
            models.UniqueConstraint(
                # Institution first: the sweep looks an institution's quarter up.
                fields=["institution", "period", "path"],
                name="institution_lending_once_per_quarter",
            )
        ]
        indexes = [
            models.Index(
                fields=["depth", "path", "period"],
                name="institution_lending_office",
                opclasses=["int2_ops", "varchar_pattern_ops", "varchar_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} at {self.path} in {self.period}"


for _key in SUMMARY_FIGURES:
    OfficeLending.add_to_class(_key, Number(null=True))
    InstitutionLending.add_to_class(_key, Number(null=True))


class ExportKind(models.TextChoices):
    RETURNS = "returns", _("Consolidated returns")
    FIGURES = "figures", _("Dashboard figures")


class DashboardExport(Job):
    """A workbook of an office's subtree for a quarter, built for the person who asked, with
    their scope; a worker builds it once (``supervision.dashboards.exports.run``)."""

    kind = models.CharField(_("export"), max_length=10, choices=ExportKind.choices)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("quarter"), max_length=20)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboard_exports"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    file = models.FileField(upload_to="dashboard-exports/%Y/%m/", max_length=300, blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("dashboard export")
        verbose_name_plural = _("dashboard exports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.office.code} {self.period}"

    @property
    def audit_office(self) -> Office:
        return self.office

    @property
    def filename(self) -> str:
        return f"{self.kind}-{self.office.code}-{self.period}.xlsx"


class WeakRegion(models.Model):
    """A division the offices count as a weak region, toward which the 2023 notice (十一) asks
    large banks to lean: data an administrator keeps (the admin site), not code."""

    division = models.OneToOneField(
        Division, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    note = models.CharField(_("why"), max_length=200, blank=True)

    class Meta:
        ordering = ["division"]
        verbose_name = _("weak region")
        verbose_name_plural = _("weak regions")

    def __str__(self) -> str:
        return str(self.division_id)
