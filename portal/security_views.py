"""The security officer's page (the authentication events of its offices' subtrees) and the
office head's page that grants and withdraws the role (``portal.security_officers``)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from portal import audit_text, scoping, security_officers
from portal.http import AuthenticatedHttpRequest
from portal.models import Office
from portal.models.audit import AUTHENTICATION_VERBS

PAGE_SIZE = 50
PERIODS = [
    ("", _("Any time")),
    ("1", _("Last 24 hours")),
    ("7", _("Last 7 days")),
    ("30", _("Last 30 days")),
]


def _verbs() -> list[tuple[str, str]]:
    return [("", str(_("All actions"))), *audit_text.verb_choices(AUTHENTICATION_VERBS)]


class EventFilter(forms.Form):
    verb = forms.ChoiceField(label=_("Action"), choices=_verbs, required=False)
    days = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)


@login_required
def authentication_events(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not scoping.scope_of(request.user).is_security_officer:
        raise Http404
    form = EventFilter(request.GET or None)
    verb, days = "", 0
    if form.is_valid():
        verb, days = form.cleaned_data["verb"], int(form.cleaned_data["days"] or 0)
    events = security_officers.authentication_events(request.user, verb, days)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (event, audit_text.sentence(event.actor_label, event.verb, event.object_label))
        for event in page
    ]
    context = {"form": form, "page": page, "rows": rows}
    return render(request, "portal/authentication_events.html", context)


class GrantForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the person"))
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none())

    def __init__(self, head, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        office = self.fields["office"]
        assert isinstance(office, forms.ModelChoiceField)
        office.queryset = security_officers.offices_to_grant_at(head)


@login_required
def security_officer_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The security officers of the head's subtree, a form to grant the role, a button each to
    withdraw it."""
    head = request.user
    if not security_officers.offices_to_grant_at(head).exists():
        raise Http404
    form = GrantForm(head, request.POST if request.POST.get("action") == "grant" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "withdraw":
                security_officers.withdraw(head, int(request.POST.get("membership", "0")))
                messages.success(request, _("The role is withdrawn."))
                return redirect("security-officers")
            if form.is_valid():
                security_officers.grant(
                    head, form.cleaned_data["office"], form.cleaned_data["email"]
                )
                messages.success(request, _("The role is granted."))
                return redirect("security-officers")
        except (ValueError, PermissionDenied) as exc:  # not a membership of theirs
            raise Http404 from exc
        except ValidationError as exc:
            form.add_error("email", exc)
    context = {"form": form, "officers": security_officers.officers(head)}
    return render(request, "portal/security_officers.html", context)
