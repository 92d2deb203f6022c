"""Recording a field visit (``visit_record``): the one verb of the visit app.

A visit fills the enterprise's screening answer (its decision, amounts, rate and first
contact), on the enterprise and on its entry in the assignment, as an accepted
SCREENING-RESULT filing does; a later workbook for the assignment still replaces the answers
in bulk. A visit that reaches the portal late (a phone offline for days) never overwrites the
answer of a visit made after it.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal import audit
from portal.models import User
from reporting.specs import get_spec
from supervision.screening.models import Assignment, AssignmentEntry, Decision, TaskEnterprise
from supervision.screening.visits.models import Visit, VisitPhoto
from supervision.screening.visits.selectors import visiting

DECLINE_REASONS = {c.value for c in get_spec("SCREENING-RESULT").column("decline_reason").choices}
MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 1024 * 1024  # the app shrinks a camera's photo to well under this
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
# A phone's clock may run a little ahead of the server's.
CLOCK_SLACK = timedelta(minutes=15)


class VisitConflict(Exception):
    """The enterprise is no longer in the assignment the visit was made under."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class VisitInput:
    """A visit as the phone sent it, parsed (by the API's serializer)."""

    client_id: uuid.UUID
    assignment_id: int
    enterprise_id: int
    values: dict  # Visit's own fields: visited_at, visitors, met, decision...
    photos: list[bytes] = field(default_factory=list)


def photo_type(data: bytes) -> str:
    """The content type of a photo the app sent, from its first bytes; refused otherwise."""
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError(_("A photo is larger than 1 MB."))
    for magic, content_type in PHOTO_TYPES.items():
        if data.startswith(magic):
            return content_type
    raise ValidationError(_("A photo must be a JPEG or PNG image."))


def _check(values: dict, assigned_at: datetime, photos: list[bytes]) -> None:
    decision, reason = values.get("decision"), values.get("decline_reason", "")
    errors = []
    if decision == Decision.DECLINED and reason not in DECLINE_REASONS:
        errors.append(_("A declined enterprise needs a reason from the list."))
    if decision != Decision.DECLINED and reason:
        errors.append(_("A decline reason is given only when the enterprise is declined."))
    if decision == Decision.GRANTED and not (values.get("credit_amount") or 0) > 0:
        errors.append(_("A granted enterprise needs a credit amount above 0."))
    visited_at = values["visited_at"]
    if visited_at > timezone.now() + CLOCK_SLACK:
        errors.append(_("The visit's time is in the future."))
    if timezone.localdate(visited_at) < timezone.localdate(assigned_at):
        errors.append(_("The visit is dated before the enterprise was assigned."))
    next_on = values.get("next_step_on")
    if next_on and next_on < timezone.localdate(visited_at):
        errors.append(_("The next step's date is before the visit."))
    located = [values.get(k) is not None for k in ("latitude", "longitude", "accuracy_m")]
    if any(located) and not all(located):
        errors.append(_("A location needs its latitude, longitude and accuracy."))
    if len(photos) > MAX_PHOTOS:
        errors.append(_("At most %(n)s photos per visit.") % {"n": MAX_PHOTOS})
    for photo in photos:
        try:
            photo_type(photo)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)


def _conflict(enterprise: TaskEnterprise, assignment: Assignment) -> VisitConflict:
    again = enterprise.entries.exclude(assignment=assignment).order_by("-pk")
    latest = again.values_list("assigned_at", flat=True).first()
    when = date_format(timezone.localdate(latest)) if latest else ""
    message = _(
        "%(name)s was assigned again by %(office)s%(when)s. The visit was not recorded: "
        "ask the office before visiting again."
    ) % {
        "name": enterprise.name,
        "office": assignment.office.name,
        "when": f" ({when})" if when else "",
    }
    return VisitConflict(message)


def _fill_answer(visit: Visit, enterprise: TaskEnterprise) -> None:
    """The visit's outcome becomes the enterprise's answer, unless a later visit gave one."""
    later = Visit.objects.filter(
        enterprise=enterprise, assignment=visit.assignment, visited_at__gt=visit.visited_at
    )
    day = timezone.localdate(visit.visited_at)
    first_contact = min(d for d in (enterprise.contact_date, day) if d is not None)
    outcome: dict[str, object] = {"contact_date": first_contact}
    if not later.exists():
        for name in ("decision", "decline_reason", "credit_amount", "loan_amount", "rate"):
            outcome[name] = getattr(visit, name)
        outcome["first_time"] = visit.first_time
    TaskEnterprise.objects.filter(pk=enterprise.pk).update(**outcome)
    AssignmentEntry.objects.filter(assignment=visit.assignment, enterprise=enterprise).update(
        **outcome
    )


def _record(user: User, data: VisitInput) -> Visit:
    assignment = (
        visiting(user).select_related("office", "institution").filter(pk=data.assignment_id).first()
    )
    if assignment is None:
        raise PermissionDenied
    enterprise = (
        TaskEnterprise.objects.select_for_update()
        .filter(pk=data.enterprise_id, entries__assignment=assignment)
        .first()
    )
    if enterprise is None:
        raise PermissionDenied
    if enterprise.assignment_id != assignment.pk:
        raise _conflict(enterprise, assignment)
    entry = AssignmentEntry.objects.get(assignment=assignment, enterprise=enterprise)
    _check(data.values, entry.assigned_at, data.photos)
    visit = Visit.objects.create(
        client_id=data.client_id,
        enterprise=enterprise,
        assignment=assignment,
        office_path=assignment.office_path,
        recorded_by=user,
        **data.values,
    )
    for n, photo in enumerate(data.photos, start=1):
        content_type = photo_type(photo)
        name = f"visit-{visit.pk}-{n}.{content_type.split('/')[1]}"
        VisitPhoto.objects.create(
            visit=visit, image=ContentFile(photo, name), content_type=content_type, size=len(photo)
        )
    _fill_answer(visit, enterprise)
    audit.record(
        user,
        "screening.visit_recorded",
        visit,
        {"enterprise": enterprise.credit_code, "decision": visit.decision},
    )
    return visit


def visit_record(user: User, data: VisitInput) -> tuple[Visit, bool]:
    """Record a visit sent by the app; returns it and whether it is new. A visit whose client
    id was recorded already (the same phone sending again) is returned as it was, unchanged.
    ``VisitConflict`` when the enterprise was assigned elsewhere meanwhile."""
    sent = Visit.objects.filter(client_id=data.client_id).first()
    if sent is None:
        try:
            with transaction.atomic(durable=True):
                return _record(user, data), True
        except IntegrityError:
            # The same visit, sent twice at once, was recorded by the other request.
            sent = Visit.objects.filter(client_id=data.client_id).first()
            if sent is None:
                raise
    if sent.recorded_by_id != user.pk:
        raise ValidationError(_("This visit id belongs to another officer's visit."))
    return sent, False
