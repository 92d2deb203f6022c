"""Which changes become events, and for whom.

Every service writes its audit event inside its transaction; the webhook events come from
those (a receiver of ``AuditEvent``'s ``post_save``), so no capability's service calls this
module for a change it already audits. Changes nobody audits (a complaint soon due, a periodic
request opened) call ``emit`` with the object, one line in the service that makes them.

An event is thin, as Stripe's and GitHub's are for sensitive resources: its type, the object's
kind, id and API address, and the audited details. The receiver reads the object through the
API with its own token, so an event never shows it more than its scope does.

An event goes to the endpoints of the object's institution and to those of every office
above or at the object's office (an office registers for its subtree).
"""

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Model, Q
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent, Institution, Office
from portal.outbox import send_on_commit
from portal.webhooks.models import Delivery, Endpoint, EventType

# Audit verbs that are events, with the event's type.
FROM_AUDIT = {
    "filing.validated": EventType.FILING_VALIDATED,
    "filing.accepted": EventType.FILING_ACCEPTED,
    "filing.returned": EventType.FILING_RETURNED,
    "request.reopened": EventType.REQUEST_REOPENED,
    "complaint_filed": EventType.COMPLAINT_RECEIVED,
    "escalation.notice_issued": EventType.NOTICE_ISSUED,
}
# The API's route (``api:<name>-detail``) of each kind of object an event is about.
ROUTES = {
    "reporting.Filing": "filing",
    "reporting.ReturnRequest": "return-request",
    "supervision.Complaint": "complaint",
    "supervision.RectificationNotice": "rectification-notice",
}


def connect() -> None:
    post_save.connect(_from_audit, sender=AuditEvent, dispatch_uid="webhooks-from-audit")


def _from_audit(sender, instance: AuditEvent, created: bool, **kwargs) -> None:
    event_type = FROM_AUDIT.get(instance.verb)
    if created and event_type is not None:
        _emit(
            event_type,
            instance.object_type,
            instance.object_id,
            instance.office,
            instance.institution,
            instance.changes,
        )


def emit(event_type: str, target: Model, details: dict | None = None) -> list[Delivery]:
    """Queue ``event_type`` about ``target`` (a model with ``audit_office`` and
    ``audit_institution``, as the audit trail places it) for the endpoints that want it.
    Call it inside the change's transaction: the deliveries commit with it."""
    office = getattr(target, "audit_office", None)
    institution = getattr(target, "audit_institution", None)
    return _emit(event_type, target._meta.label, str(target.pk), office, institution, details or {})


def emit_each(event_type: str, targets: Iterable[Model]) -> int:
    """``emit`` for many objects at once (a quarter's requests for every filer), reading the
    endpoints once; returns how many deliveries were queued."""
    wanting = [e for e in Endpoint.objects.select_related("office") if event_type in e.events]
    queued = 0
    for target in targets if wanting else []:
        office = getattr(target, "audit_office", None)
        institution = getattr(target, "audit_institution", None)
        endpoints = [e for e in wanting if _wants(e, office, institution)]
        queued += len(
            _emit(
                event_type, target._meta.label, str(target.pk), office, institution, {}, endpoints
            )
        )
    return queued


def _wants(endpoint: Endpoint, office: Office | None, institution: Institution | None) -> bool:
    if endpoint.institution_id is not None:
        return institution is not None and endpoint.institution_id == institution.pk
    assert endpoint.office is not None  # the endpoint's constraint
    return office is not None and office.path.startswith(endpoint.office.path)


def _emit(
    event_type: str,
    object_type: str,
    object_id: str,
    office: Office | None,
    institution: Institution | None,
    details: dict,
    endpoints: list[Endpoint] | None = None,
) -> list[Delivery]:
    if endpoints is None:
        endpoints = [e for e in _endpoints(office, institution) if event_type in e.events]
    if not endpoints:
        return []
    event_id = f"evt_{uuid.uuid4().hex}"
    payload = {
        "id": event_id,
        "type": event_type,
        "created": timezone.now().isoformat(),
        "data": {
            "object": {"type": object_type, "id": object_id, "url": _url(object_type, object_id)},
            "institution": institution.pk if institution else None,
            "office": office.code if office else None,
            "details": details,
        },
    }
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            endpoint=endpoint,
            event_id=event_id,
            event_type=event_type,
            payload=payload,
            next_attempt_at=timezone.now(),
        )
        for endpoint in endpoints
    )
    from portal.webhooks.tasks import deliver_webhook  # the task module imports the services

    for delivery in deliveries:
        send_on_commit(deliver_webhook, delivery.pk)
    return deliveries


def _endpoints(office: Office | None, institution: Institution | None) -> list[Endpoint]:
    wanted = Q(pk__in=[])
    if institution is not None:
        wanted |= Q(institution=institution)
    if office is not None:
        # The office itself and every office above it: their paths are prefixes of its path.
        step = Office.steplen
        paths = [office.path[:end] for end in range(step, len(office.path) + 1, step)]
        wanted |= Q(office__path__in=paths)
    return list(Endpoint.objects.filter(wanted))


def _url(object_type: str, object_id: str) -> str:
    route = ROUTES.get(object_type)
    if route is None:
        return ""
    return settings.SITE_URL + reverse(f"api:{route}-detail", kwargs={"pk": object_id})
