"""The office's arrangements for an area and a year, set by a head of it or above, each scoring
the area again at once. A differentiated arrangement marks an office's subtree (a division code
and the area below it), saying why: every institution supervised there is then scored by the
scheme's differentiated rules. A target group (the 2025 notice III(III)) sets a growth target
on the large banks, the joint-stock banks or the local legal-person banks of the area, or on a
list of its institutions, judged on the group's figure (``groups``)."""

from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal import audit, scoping
from portal.models import Institution, Office, Role
from portal.outbox import send_on_commit
from supervision.evaluation.models import AreaArrangement, GroupRule, ScoringRun, TargetGroup


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


def group_set(
    user,
    office: Office,
    year: int,
    name: str,
    rule: str,
    target: Decimal,
    listed: Sequence[Institution] = (),
) -> TargetGroup:
    """Set (or change) the group ``name`` of ``office``'s area for ``year`` (a head of it or
    above); a list's members must be institutions supervised in the area."""
    if not name.strip():
        raise ValidationError(_("Give the group a name."))
    if rule not in GroupRule.values:
        raise ValidationError(_("Choose who belongs to the group."))
    if rule == GroupRule.LIST and not listed:
        raise ValidationError(_("List the institutions of the group."))
    with transaction.atomic(durable=True):
        office = scoping.locked_for(user, Office, Role.HEAD, office.pk)
        ids = [i.pk for i in listed] if rule == GroupRule.LIST else []
        within = Institution.objects.filter(office.subtree_q("office__path"), pk__in=ids)
        if within.count() != len(set(ids)):
            raise ValidationError(_("List only institutions supervised in the group's area."))
        group, created = TargetGroup.objects.update_or_create(
            office=office,
            year=year,
            name=name.strip(),
            defaults={"rule": rule, "target": target, "set_by": user},
        )
        group.listed.set(ids)
        audit.record(
            user,
            "evaluation.target_group_set",
            group,
            {"year": year, "rule": rule, "target": str(target), "listed": ids, "new": created},
        )
        _rescore(user, office, year)
    return group


def group_remove(user, group: TargetGroup) -> None:
    with transaction.atomic(durable=True):
        group = scoping.locked_for(user, TargetGroup, Role.HEAD, group.pk)
        office, year = group.office, group.year
        audit.record(
            user, "evaluation.target_group_removed", group, {"year": year, "name": group.name}
        )
        group.delete()
        _rescore(user, office, year)
