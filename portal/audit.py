"""Writing the audit trail. Service functions call ``record`` inside their transaction."""

from contextvars import ContextVar

from django.conf import settings
from django.db.models import Model
from django.utils import translation

from portal.models import AuditEvent, Branch, Institution, Office

request_address: ContextVar[str | None] = ContextVar("request_address", default=None)


def _placement(target: Model | None) -> tuple[Office | None, Institution | None]:
    """The office whose regulators may read an event about ``target``, and its institution."""
    if isinstance(target, Office):
        return target, None
    if isinstance(target, Institution):
        return target.office, target
    if isinstance(target, Branch):
        return target.office, target.institution
    office = getattr(target, "audit_office", None)
    institution = getattr(target, "audit_institution", None)
    return office, institution


def _official(target: Model) -> str:
    """The target's name in the portal's own language, whatever language the actor reads."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(target)


def record(
    actor,
    verb: str,
    target: Model | None = None,
    changes: dict | None = None,
    *,
    office: Office | None = None,
    label: str = "",
) -> AuditEvent:
    """Append one event. ``office`` overrides where the event is readable from."""
    placed_office, institution = _placement(target)
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=str(actor.email) if actor else "system",
        verb=verb,
        object_type=target._meta.label if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_label=(label or _official(target))[:300] if target is not None else label[:300],
        changes=changes or {},
        address=request_address.get(),
        office=office or placed_office,
        institution=institution,
    )
