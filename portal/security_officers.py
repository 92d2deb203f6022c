"""Security officers: people who read the authentication events (signing in and out, failed
sign-ins, API tokens, passwords, the second factor) of the users of their office's subtree,
and nothing else the role would add. An office head grants and withdraws the role at an office
of the head's subtree, to someone who already works at one; both are audited.

The role is a membership at the office (``Role.SECURITY``), which ``portal.scoping`` keeps apart
from the regulators' ladder: its only rows are ``AuditEvent``'s authentication verbs.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit, scoping
from portal.models import AuditEvent, Membership, Office, Role, User
from portal.models.audit import AUTHENTICATION_VERBS


def offices_to_grant_at(head: User) -> QuerySet[Office]:
    """The offices where ``head`` may make someone a security officer (their subtree)."""
    return scoping.actionable(head, Office, Role.HEAD)


def officers(head: User) -> QuerySet[Membership]:
    """The security officers of ``head``'s subtree, as their memberships."""
    return (
        Membership.objects.filter(role=Role.SECURITY, office__in=offices_to_grant_at(head))
        .select_related("user", "office")
        .order_by("office__path", "user__email")
    )


def grant(head: User, office: Office, email: str) -> Membership:
    """Make the person with ``email`` a security officer at ``office``. They must already work
    at an office of the head's subtree (an SME owner or a bank officer cannot be made one)."""
    with transaction.atomic(durable=True):
        allowed = offices_to_grant_at(head)
        if not allowed.filter(pk=office.pk).exists():
            raise PermissionDenied
        user = User.objects.filter(
            email=email.strip().lower(),
            is_active=True,
            memberships__office__in=allowed,
            memberships__role__in=Role.regulator_roles(),
        ).first()
        if user is None:
            raise ValidationError(
                _("Only someone who works at an office under yours can be a security officer.")
            )
        membership, created = Membership.objects.get_or_create(
            user=user, role=Role.SECURITY, office=office
        )
        if created:
            audit.record(head, "security_officer_granted", user, office=office, label=user.email)
    return membership


def withdraw(head: User, membership_id: int) -> None:
    with transaction.atomic(durable=True):
        membership = officers(head).select_for_update(of=("self",)).filter(pk=membership_id).first()
        if membership is None:
            raise PermissionDenied
        office, user = membership.office, membership.user
        membership.delete()
        audit.record(head, "security_officer_withdrawn", user, office=office, label=user.email)


def authentication_events(user: User, verb: str = "", days: int = 0) -> QuerySet[AuditEvent]:
    """The authentication events ``user`` may read, newest first: one ``verb`` of them if
    given, of the last ``days`` if given."""
    events = scoping.visible(user, AuditEvent).filter(verb__in=AUTHENTICATION_VERBS)
    if verb:
        events = events.filter(verb=verb)
    if days:
        events = events.filter(at__gte=timezone.now() - timedelta(days=days))
    return events.select_related("office").order_by("-at", "-pk")
