"""Marking a flagged figure: one verb, in its own transaction, audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal import audit, scoping
from portal.models import Office, Role
from reporting.models import Filing, RuleHit
from supervision.quality.models import FigureMark, MarkState
from supervision.quality.selectors import OUTLIER_CODES


def mark(
    user, office: Office, filing: Filing, row: int, column: str, state: str, note: str = ""
) -> FigureMark:
    """Mark a flagged figure of a return under ``office`` "follow up" or "explained"; an
    explanation needs a note. Marking again changes the mark."""
    if not scoping.may_act(user, office, Role.REVIEWER) or not scoping.may_see(user, filing):
        raise PermissionDenied
    if state not in MarkState.values:
        raise ValidationError(_("Choose “follow up” or “explained”."))
    if state == MarkState.EXPLAINED and not note.strip():
        raise ValidationError(_("Say what explains the figure."))
    hits = RuleHit.objects.filter(filing=filing, code__in=OUTLIER_CODES)
    if not any(e.get("row") == row and e.get("column") == column for h in hits for e in h.examples):
        raise ValidationError(_("That figure was not flagged."))
    with transaction.atomic(durable=True):
        found, _created = FigureMark.objects.update_or_create(
            filing=filing,
            row=row,
            column=column,
            defaults={"state": state, "note": note.strip(), "office": office, "marked_by": user},
        )
        audit.record(user, "figure.marked", found, {"row": row, "column": column, "state": state})
    return found
