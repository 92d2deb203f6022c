"""The visit app's pages: the officer's list of enterprises to visit with the visit form (one
page, cached on the phone by the app's service worker and working without a connection), the
service worker and the web app manifest that make it installable, and a recorded visit with
its photos for the offices and the bank.

The page records nothing itself: its script queues each visit in the browser's storage and
sends it to ``POST /api/v1/screening-visits/`` when there is a connection.
"""

import json

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from portal import scoping
from portal.http import AuthenticatedHttpRequest
from reporting.specs import get_spec
from supervision.screening import contacts
from supervision.screening.lists import reading_language
from supervision.screening.models import Decision
from supervision.screening.visits import selectors
from supervision.screening.visits.models import Visit, VisitPhoto

# Bumped when the app's files change, so that phones drop the old copies.
APP_VERSION = "1"
APP_FILES = ("visits/app.js", "visits/queue.js", "visits/visits.css", "visits/icon.svg")


def _decline_reasons() -> list[tuple[str, str]]:
    """The fixed list of SCREENING-RESULT's decline reasons, in the reader's language."""
    column = get_spec("SCREENING-RESULT").column("decline_reason")
    lang = reading_language()
    return [(c.value, c.label_zh if lang == "zh" else c.label_en) for c in column.choices]


@never_cache
@login_required
def visit_app(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The enterprises the officer is to visit, and the visit form."""
    enterprises = list(
        selectors.to_visit(request.user, selectors.visiting(request.user))[
            : selectors.APP_LIMIT + 1
        ]
    )
    more = len(enterprises) > selectors.APP_LIMIT
    enterprises = enterprises[: selectors.APP_LIMIT]
    contacts.mask_contacts(request.user, enterprises)
    return render(
        request,
        "supervision/screening/visits/app.html",
        {
            "enterprises": enterprises,
            "more": more,
            "decisions": Decision.choices,
            "decline_reasons": _decline_reasons(),
            "api_url": reverse("api:screening-visit-list"),
        },
    )


def service_worker(request: HttpRequest) -> HttpResponse:
    """The app's service worker, served from the app's own path so that it controls the app's
    pages (a worker under /static/ could not)."""
    files = [static(name) for name in APP_FILES] + [static("portal/portal.css")]
    response = render(
        request,
        "supervision/screening/visits/sw.js",
        {
            "cache": f"visits-{APP_VERSION}",
            "app_url": reverse("screening-visit-app"),
            "files": json.dumps(files),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    return response


def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: the app installs on a phone's home screen, opening the list."""
    body = {
        "name": _("Enterprise visits"),
        "short_name": _("Visits"),
        "start_url": reverse("screening-visit-app"),
        "scope": reverse("screening-visit-app"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f4e79",
        "icons": [{"src": static("visits/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )


@login_required
def visit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    visit = scoping.get_visible_or_404(
        request.user,
        Visit.objects.select_related(
            "enterprise", "assignment__task", "assignment__office", "recorded_by"
        ),
        pk=pk,
    )
    reasons = dict(_decline_reasons())
    return render(
        request,
        "supervision/screening/visits/visit_detail.html",
        {
            "visit": visit,
            "decline_label": reasons.get(visit.decline_reason, ""),
            "photos": scoping.visible(request.user, VisitPhoto).filter(visit=visit),
        },
    )


@login_required
def visit_photo(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    photo = scoping.get_visible_or_404(request.user, VisitPhoto, pk=pk)
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
