"""How long the signed-in user's session has left, so that pages can warn two minutes before it
ends and offer to stay signed in (WCAG 2.2.1): a session ends a fixed time after it was last
renewed, so the end is stored as a moment in the session itself."""

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

WARN_BEFORE = 120  # seconds before the end the warning appears


def renew(request: HttpRequest) -> None:
    request.session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))


def remaining(request: HttpRequest) -> int | None:
    """Seconds until the session ends (None for a request without one, such as a token's).
    Reading it writes nothing: the end is set at sign-in (``portal.signals``); a session
    without one (begun before it was) counts the whole age."""
    if not hasattr(request, "session"):
        return None
    return max(0, int(request.session.get_expiry_age()))
