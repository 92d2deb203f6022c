"""Writing the audit trail. Service functions call ``record`` inside their transaction."""

from contextvars import ContextVar

from django.conf import settings
from django.db.models import Model
from django.utils import translation

from portal.models import AuditEvent, Branch, Institution, Office, User

request_address: ContextVar[str | None] = ContextVar("request_address", default=None)


def _placement(target: Model | None) -> tuple[Office | None, Institution | None]:
    """The office whose regulators may read an event about ``target``, and its institution."""
    if isinstance(target, Office):
        return target, None
    if isinstance(target, Institution):
        return target.office, target
    if isinstance(target, Branch):
        return target.office, target.institution
    if isinstance(target, User):
        return user_place(target)
    office = getattr(target, "audit_office", None)
    institution = getattr(target, "audit_institution", None)
    return office, institution


def user_place(user: User) -> tuple[Office | None, Institution | None]:
    """Where events about a user (signing in, tokens, passwords) are read: the office of their
    first place in the tree, or the office supervising their institution or branch. An SME
    owner has none."""
    membership = (
        user.memberships.select_related(
            "office", "institution__office", "branch__office", "branch__institution"
        )
        .order_by("id")
        .first()
    )
    if membership is None:
        return None, None
    if membership.office is not None:
        return membership.office, None
    if membership.institution is not None:
        return membership.institution.office, membership.institution
    assert membership.branch is not None  # the membership's constraint
    return membership.branch.office, membership.branch.institution


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
    event = unsaved(actor, verb, target, changes, office=office, label=label)
    event.save(force_insert=True)
    return event


def unsaved(
    actor,
    verb: str,
    target: Model | None = None,
    changes: dict | None = None,
    *,
    office: Office | None = None,
    label: str = "",
) -> AuditEvent:
    """The event ``record`` would append, not yet saved: for ``record_all``."""
    placed_office, institution = _placement(target)
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
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


def record_all(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append many events (``unsaved``) in one INSERT, as a sweep of thousands of cases does.
    An INSERT sends no ``post_save``: use it only for verbs that are no webhook event (those
    of ``portal.webhooks.events.FROM_AUDIT`` go through ``record``)."""
    return AuditEvent.objects.bulk_create(events)
