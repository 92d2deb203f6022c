"""API tokens: one per user, made anew on each request, ending after ``PORTAL_TOKEN_DAYS``
or when the password changes or the user revokes it; each issue and revocation audited.

A token is obtained with the password alone, so it is refused (``portal.authentication``) to
anyone who owes a second factor. Asking again replaces the token: the previous one stops
working at once, so a leaked token is ended by asking for a new one."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from portal import audit
from portal.models import User


def expires_at(token: Token) -> datetime:
    return token.created + timedelta(days=settings.PORTAL_TOKEN_DAYS)


def has_expired(token: Token) -> bool:
    return timezone.now() >= expires_at(token)


def issue(user: User) -> Token:
    """A new token for ``user``, replacing (revoking) the one they had."""
    with transaction.atomic(durable=True):
        _revoke(user, user, "replaced")
        token = Token.objects.create(user=user)
        audit.record(
            user,
            "api_token_issued",
            user,
            {"token": token.key[:6], "expires": expires_at(token).isoformat()},
            label=user.email,
        )
    return token


def revoke(actor: User, user: User, reason: str = "revoked") -> int:
    """End ``user``'s token, if any; the number ended (0 or 1)."""
    with transaction.atomic(durable=True):
        return _revoke(actor, user, reason)


def revoke_in_transaction(actor: User | None, user: User, reason: str) -> int:
    """As ``revoke``, inside a transaction a caller already holds (a password being saved)."""
    with transaction.atomic():
        return _revoke(actor, user, reason)


def _revoke(actor: User | None, user: User, reason: str) -> int:
    ended = 0
    for token in Token.objects.select_for_update().filter(user=user):
        key = token.key[:6]
        token.delete()
        audit.record(
            actor, "api_token_revoked", user, {"token": key, "reason": reason}, label=user.email
        )
        ended += 1
    return ended


def current(user: User) -> Token | None:
    token = Token.objects.filter(user=user).first()
    return None if token is None or has_expired(token) else token
