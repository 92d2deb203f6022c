"""Registering, pausing, resuming, rotating the secret of and removing endpoints: one function
per verb, each in its own transaction and audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit, scoping
from portal.models import Institution, Membership, Office, Role, User
from portal.outbox import send_on_commit
from portal.webhooks.delivery import target_refused
from portal.webhooks.models import Delivery, DeliveryStatus, Endpoint, EventType, new_secret


def may_register(user: User, place: Institution | Office) -> bool:
    """An institution's own approvers (at its head office, not a branch's) register for it; an
    office's reviewers and heads, or those of an office above it, for its subtree."""
    if isinstance(place, Institution):
        return Membership.objects.filter(user=user, institution=place, role=Role.APPROVER).exists()
    return scoping.may_act(user, place, Role.REVIEWER)


def places_for(user: User) -> list[Institution | Office]:
    """The institutions and offices ``user`` may register endpoints for."""
    places: list[Institution | Office] = []
    for m in user.memberships.select_related("institution", "office"):
        if m.institution is not None and m.role == Role.APPROVER:
            places.append(m.institution)
        elif m.office is not None and m.role in Role.at_least(Role.REVIEWER):
            places.append(m.office)
    return places


def owner_for(
    user: User, institution: Institution | None, office: Office | None
) -> Institution | Office:
    """The place named, else the user's only place they may register for."""
    if institution is not None and office is not None:
        raise ValidationError(_("Name an institution or an office, not both."))
    named = institution or office
    if named is not None:
        if not may_register(user, named):
            raise PermissionDenied
        return named
    places = places_for(user)
    if not places:
        raise PermissionDenied
    if len(places) > 1:
        raise ValidationError(
            _("Name the institution or office the endpoint is for: you may register for %(n)s.")
            % {"n": len(places)}
        )
    return places[0]


@transaction.atomic(durable=True)
def register(
    user: User,
    url: str,
    events: list[str],
    description: str = "",
    institution: Institution | None = None,
    office: Office | None = None,
) -> Endpoint:
    place = owner_for(user, institution, office)
    refused = target_refused(url)  # checked again, and connected to, on each delivery
    if refused.startswith("not "):
        raise ValidationError(_("The endpoint must be an HTTPS address."))
    if refused:
        raise ValidationError(
            _("The portal will not call this address: %(why)s.") % {"why": refused}
        )
    unknown = set(events) - set(EventType.values)
    if unknown or not events:
        raise ValidationError(_("Choose the events from the list."))
    endpoint = Endpoint.objects.create(
        institution=place if isinstance(place, Institution) else None,
        office=place if isinstance(place, Office) else None,
        url=url,
        events=sorted(set(events)),
        description=description,
        created_by=user,
    )
    audit.record(user, "webhook.registered", endpoint, {"url": url, "events": endpoint.events})
    return endpoint


def _own(user: User, endpoint: Endpoint) -> Endpoint:
    """The endpoint, locked, if ``user`` may manage it (as they may register it)."""
    place = endpoint.institution or endpoint.office
    assert place is not None  # the endpoint's constraint
    if not may_register(user, place):
        raise PermissionDenied
    return Endpoint.objects.select_for_update().get(pk=endpoint.pk)


@transaction.atomic(durable=True)
def resume(user: User, endpoint: Endpoint) -> Endpoint:
    """Send again: the failures are forgotten and the waiting deliveries go out now."""
    endpoint = _own(user, endpoint)
    endpoint.paused_at, endpoint.consecutive_failures = None, 0
    endpoint.save(update_fields=["paused_at", "consecutive_failures"])
    waiting = Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING)
    waiting.update(next_attempt_at=timezone.now())
    from portal.webhooks.tasks import deliver_webhook  # the task module imports delivery

    for pk in waiting.values_list("pk", flat=True):
        send_on_commit(deliver_webhook, pk)
    audit.record(user, "webhook.resumed", endpoint)
    return endpoint


@transaction.atomic(durable=True)
def pause(user: User, endpoint: Endpoint) -> Endpoint:
    """Hold the endpoint's deliveries (a receiver under maintenance): its events wait, kept,
    until it is resumed."""
    endpoint = _own(user, endpoint)
    if endpoint.paused_at is None:
        endpoint.paused_at = timezone.now()
        endpoint.save(update_fields=["paused_at"])
        audit.record(user, "webhook.paused", endpoint)
    return endpoint


@transaction.atomic(durable=True)
def rotate_secret(user: User, endpoint: Endpoint) -> Endpoint:
    """A new signing secret, in force for the next delivery; the old one ends now (shown
    once, as when registered)."""
    endpoint = _own(user, endpoint)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    audit.record(user, "webhook.secret_rotated", endpoint)
    return endpoint


@transaction.atomic(durable=True)
def remove(user: User, endpoint: Endpoint) -> None:
    endpoint = _own(user, endpoint)
    audit.record(user, "webhook.removed", endpoint, {"url": endpoint.url})
    endpoint.delete()
