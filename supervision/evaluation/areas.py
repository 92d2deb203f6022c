"""Differentiated arrangements for an area: a head of office marks an office's subtree (a
division code and the area below it) for a year, saying why; every institution supervised there
is then scored by the scheme's differentiated rules, and the area is scored again at once."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal import audit, scoping
from portal.models import Office, Role
from portal.outbox import send_on_commit
from supervision.evaluation.models import AreaArrangement, ScoringRun


def _rescore(user, office: Office, year: int) -> None:
    from supervision.evaluation.tasks import run_scoring

    job = ScoringRun.objects.create(office=office, period=str(year), requested_by=user)
    send_on_commit(run_scoring, job.pk)


def area_arrangement_set(user, office: Office, year: int, reason: str) -> AreaArrangement:
    """Mark ``office``'s area as differentiated for ``year`` (a head of it or above)."""
    if not reason.strip():
        raise ValidationError(_("Say why the area gets a differentiated arrangement."))
    with transaction.atomic(durable=True):
        office = scoping.locked_for(user, Office, Role.HEAD, office.pk)
        arrangement, created = AreaArrangement.objects.update_or_create(
            office=office, year=year, defaults={"reason": reason.strip(), "set_by": user}
        )
        audit.record(
            user,
            "evaluation.area_arrangement_set",
            arrangement,
            {"year": year, "reason": reason.strip(), "new": created},
        )
        _rescore(user, office, year)
    return arrangement


def area_arrangement_remove(user, arrangement: AreaArrangement) -> None:
    with transaction.atomic(durable=True):
        arrangement = scoping.locked_for(user, AreaArrangement, Role.HEAD, arrangement.pk)
        office, year = arrangement.office, arrangement.year
        audit.record(user, "evaluation.area_arrangement_removed", arrangement, {"year": year})
        arrangement.delete()
        _rescore(user, office, year)
