"""The public side: quarterly statistics releases (built by a worker, read by the public pages
as they are) and the typical cases offices write, heads approve and the public site shows.

Nothing here holds an owner's personal data: a release keeps only suppressed aggregates, and a
case's text is checked against the names of the complaint it came from.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.models import Office


class StatisticsRelease(models.Model):
    """One quarter's public tables, small cells already suppressed (``tables``: table key ->
    rows of cells). The public pages read one row; a rebuild replaces it."""

    quarter = models.CharField(_("quarter"), max_length=6, unique=True)
    built_at = models.DateTimeField(_("built"))
    min_cell = models.PositiveSmallIntegerField(_("smallest cell shown"))
    tables = models.JSONField(default=dict)

    class Meta:
        ordering = ["-quarter"]
        verbose_name = _("statistics release")
        verbose_name_plural = _("statistics releases")

    def __str__(self) -> str:
        return self.quarter


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft, awaiting a head's approval")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CaseSource(models.TextChoices):
    COMPLAINT = "complaint", _("A complaint")
    SCREENING = "screening", _("A screening story")


class TypicalCase(models.Model):
    """A typical case an office publishes (2025 notice (X)): written from a complaint or a
    screening story with the parties' names removed, or with their recorded consent."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="typical_cases", verbose_name=_("office")
    )
    source = models.CharField(_("source"), max_length=10, choices=CaseSource.choices)
    # The complaint's reference (never its parties): the names the text is checked against.
    complaint_reference = models.CharField(_("complaint reference"), max_length=20, blank=True)
    consent = models.BooleanField(_("the parties consented to being named"), default=False)
    consent_note = models.CharField(_("how consent was recorded"), max_length=300, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    body_zh = models.TextField(_("case (Chinese)"), max_length=8000)
    body_en = models.TextField(_("case (English)"), max_length=8000)
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-published_at", "-written_at", "-pk"]
        verbose_name = _("typical case")
        verbose_name_plural = _("typical cases")
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.title_en if (get_language() or "").startswith("en") else self.title_zh

    @property
    def body(self) -> str:
        return self.body_en if (get_language() or "").startswith("en") else self.body_zh

    @property
    def audit_office(self) -> Office:
        return self.office
