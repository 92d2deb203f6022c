"""An office's mark on one figure flagged as an outlier when its return was checked
(``reporting/outliers.py``): to follow up (it is drawn into the next sample of rows to verify)
or explained (the office is satisfied)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Office
from reporting.models import Filing


class MarkState(models.TextChoices):
    FOLLOW_UP = "follow_up", _("follow up")
    EXPLAINED = "explained", _("explained")


class FigureMark(models.Model):
    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="+")
    row = models.PositiveIntegerField(_("row"))  # the Excel row number, as the finding has it
    column = models.CharField(_("column"), max_length=60)
    state = models.CharField(_("mark"), max_length=12, choices=MarkState.choices)
    note = models.TextField(_("note"), blank=True)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked"), auto_now=True)

    class Meta:
        verbose_name = _("figure mark")
        verbose_name_plural = _("figure marks")
        constraints = [
            models.UniqueConstraint(fields=["filing", "row", "column"], name="one_mark_per_figure")
        ]

    def __str__(self) -> str:
        return f"{self.filing_id} row {self.row} {self.column}: {self.state}"

    @property
    def audit_office(self) -> Office:
        return self.office
