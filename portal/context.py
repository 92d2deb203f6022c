from portal.scoping import scope_of


def navigation(request) -> dict:
    """What the base layout needs to show the right menu for the signed-in user."""
    scope = scope_of(getattr(request, "user", None))
    return {"scope": scope}
