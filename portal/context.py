from portal.notifications import unread_count
from portal.scoping import scope_of


def navigation(request) -> dict:
    """What the base layout needs to show the right menu for the signed-in user."""
    user = getattr(request, "user", None)
    scope = scope_of(user)
    unread = unread_count(user) if user is not None and scope.user_id is not None else 0
    return {"scope": scope, "unread_notifications": unread}
