"""The webhook pages: an institution's approver, or an office's reviewer, lists the endpoints
in their scope, registers one (choosing its events), pauses, resumes, gives a new secret to or
removes it, and reads its delivery log. Thin: each verb is one call of ``services``."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal import scoping
from portal.http import AuthenticatedHttpRequest
from portal.models import Institution, Office, User
from portal.webhooks import services
from portal.webhooks.models import Endpoint, EventType

PAGE_SIZE = 25


class RegisterForm(forms.Form):
    url = forms.URLField(
        label=gettext_lazy("Address"),
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("An https:// address on your own system, reachable publicly."),
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    place = forms.ChoiceField(label=gettext_lazy("Institution or office"))

    def __init__(self, places: list[Institution | Office], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.places = {_key(p): p for p in places}
        field = self.fields["place"]
        assert isinstance(field, forms.ChoiceField)  # declared above
        field.choices = [(key, str(place)) for key, place in self.places.items()]
        field.required = len(places) > 1  # a user with one place is not asked
        if not field.required:
            field.widget = forms.HiddenInput()

    def place_chosen(self) -> Institution | Office:
        return self.places.get(self.cleaned_data["place"]) or next(iter(self.places.values()))


def _key(place: Institution | Office) -> str:
    return f"institution:{place.pk}" if isinstance(place, Institution) else f"office:{place.pk}"


def _places(request: AuthenticatedHttpRequest) -> list[Institution | Office]:
    places = services.places_for(request.user)
    if not places:
        raise Http404  # the pages are for those who may register
    return places


@login_required
def endpoint_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RegisterForm(_places(request), request.POST or None)
    if request.method == "POST" and form.is_valid():
        place = form.place_chosen()
        try:
            endpoint = services.register(
                request.user,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                institution=place if isinstance(place, Institution) else None,
                office=place if isinstance(place, Office) else None,
            )
        except ValidationError as exc:
            form.add_error("url", exc)
        else:
            return _detail(request, endpoint, secret=endpoint.secret)
    endpoints = scoping.visible(request.user, Endpoint).select_related("institution", "office")
    return render(
        request,
        "portal/webhooks/list.html",
        {"endpoints": endpoints.order_by("-created_at", "-id"), "form": form},
    )


@login_required
def endpoint_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, scoping.get_visible_or_404(request.user, Endpoint, pk=pk))


def _detail(
    request: AuthenticatedHttpRequest, endpoint: Endpoint, secret: str = ""
) -> HttpResponse:
    place = endpoint.institution or endpoint.office
    assert place is not None  # the endpoint's constraint
    deliveries = endpoint.deliveries.prefetch_related("log")
    return render(
        request,
        "portal/webhooks/detail.html",
        {
            "endpoint": endpoint,
            "events": [EventType(e).label for e in endpoint.events if e in EventType.values],
            "page": Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page")),
            "may_manage": services.may_register(request.user, place),
            "secret": secret,
        },
    )


VERBS = {
    "pause": (services.pause, gettext_lazy("The endpoint is paused: its events wait for it.")),
    "resume": (services.resume, gettext_lazy("The endpoint is resumed: what waited goes now.")),
}


@require_POST
@login_required
def endpoint_action(request: AuthenticatedHttpRequest, pk: int, verb: str) -> HttpResponse:
    endpoint = scoping.get_visible_or_404(request.user, Endpoint, pk=pk)
    user: User = request.user
    if verb == "rotate":
        return _detail(request, endpoint, secret=services.rotate_secret(user, endpoint).secret)
    if verb == "delete":
        services.remove(user, endpoint)
        messages.success(request, _("The endpoint %(url)s is removed.") % {"url": endpoint.url})
        return redirect("webhook-list")
    if verb not in VERBS:
        raise Http404
    call, done = VERBS[verb]
    call(user, endpoint)
    messages.success(request, str(done))
    return redirect("webhook-detail", pk=endpoint.pk)
