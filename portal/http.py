"""Request types for annotations."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from portal.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``login_required``: its user is a signed-in ``User``.

    For annotations only; Django still hands views plain ``HttpRequest`` objects. ``htmx`` is
    set on every request by django-htmx's middleware.
    """

    user: User
    htmx: HtmxDetails
