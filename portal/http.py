"""Request types for annotations."""

from django.http import HttpRequest

from portal.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``login_required``: its user is a signed-in ``User``.

    For annotations only; Django still hands views plain ``HttpRequest`` objects.
    """

    user: User
