from portal import menu, session_expiry
from portal.notifications import unread_count
from portal.scoping import scope_of


def navigation(request) -> dict:
    """What the base layout needs to show the right menu for the signed-in user, and when to
    warn that the session is about to end."""
    user = getattr(request, "user", None)
    scope = scope_of(user)
    signed_in = scope.user_id is not None
    return {
        "scope": scope,
        "unread_notifications": unread_count(user) if user is not None and signed_in else 0,
        "menu": menu.menu_for(scope, request.path) if signed_in else [],
        "session_seconds": session_expiry.remaining(request) if signed_in else None,
        "session_warning_seconds": session_expiry.WARN_BEFORE,
    }
