"""The API's lifecycle: ``/api/v1/`` is stable and changes only by addition (new operations,
new optional parameters, new response fields, new event types). Anything to be removed is first
deprecated here, for a time written in its sunset date: its answers carry ``Deprecation``
(RFC 9745), ``Sunset`` (RFC 8594) and a ``Link`` to what replaces it, and the schema marks the
operation ``deprecated``. What breaks compatibility waits for ``/api/v2/``.
"""

from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date


@dataclass(frozen=True)
class Deprecation:
    since: datetime
    sunset: datetime
    link: str  # where the replacement is documented


# The route name (``api:<basename>-<list|detail|action>``) of each deprecated operation.
# Nothing in /api/v1/ is deprecated yet.
DEPRECATED: dict[str, Deprecation] = {}


def route_name(view) -> str | None:
    """The route name of a router-registered view's current action, as ``DEPRECATED`` keys it
    (the schema generator knows the view, not the route)."""
    basename, action = getattr(view, "basename", None), getattr(view, "action", None)
    if basename is None or action is None:
        return None
    if action in {"list", "create"}:
        return f"api:{basename}-list"
    if action in {"retrieve", "update", "partial_update", "destroy"}:
        return f"api:{basename}-detail"
    return f"api:{basename}-{getattr(getattr(view, action, None), 'url_name', action)}"


class DeprecationHeaders:
    """Adds the deprecation headers to every answer of a deprecated operation."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        deprecation = DEPRECATED.get(match.view_name) if match is not None else None
        if deprecation is not None:
            response["Deprecation"] = f"@{int(deprecation.since.timestamp())}"
            response["Sunset"] = http_date(deprecation.sunset.timestamp())
            response["Link"] = f'<{deprecation.link}>; rel="deprecation"'
        return response
