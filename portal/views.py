from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal import audit_text, notifications, scoping, worklist
from portal.http import AuthenticatedHttpRequest
from portal.models import (
    AuditEvent,
    Branch,
    Institution,
    InstitutionKind,
    Membership,
    Notification,
    Office,
)

PAGE_SIZE = 50


def _page(request: HttpRequest, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = scoping.scope_of(request.user)
    memberships = Membership.objects.filter(user=request.user).select_related(
        "office", "institution", "branch__institution"
    )
    context: dict[str, Any] = {
        "memberships": memberships,
        "waiting": worklist.waiting_for(request.user),
    }
    if scope.is_regulator:
        offices = scoping.visible(request.user, Office)
        context.update(
            template="portal/home_regulator.html",
            office_count=offices.count(),
            institution_count=scoping.visible(request.user, Institution).count(),
            branch_count=scoping.visible(request.user, Branch).count(),
            roots=offices.filter(path__in=[p for _, p in scope.offices]),
        )
    elif scope.is_bank:
        context.update(
            template="portal/home_bank.html",
            institutions=scoping.visible(request.user, Institution),
            branches=scoping.visible(request.user, Branch).select_related("office")[:50],
        )
    elif scope.is_security_officer:
        context.update(template="portal/home_security.html")
    else:
        context.update(template="portal/home_owner.html")
    return render(request, context["template"], context)


@login_required
def office_list(request: HttpRequest) -> HttpResponse:
    offices = scoping.visible(request.user, Office).order_by("path")
    query = request.GET.get("q", "").strip()
    if query:
        offices = offices.filter(
            Q(name_zh__icontains=query) | Q(name_en__icontains=query) | Q(code__startswith=query)
        )
    return render(request, "portal/office_list.html", {"page": _page(request, offices), "q": query})


@login_required
def office_detail(request: HttpRequest, code: str) -> HttpResponse:
    office = scoping.get_visible_or_404(request.user, Office, code=code)
    visible_offices = scoping.visible(request.user, Office)
    return render(
        request,
        "portal/office_detail.html",
        {
            "office": office,
            "ancestors": visible_offices.filter(
                path__in=[
                    office.path[:i] for i in range(office.steplen, len(office.path), office.steplen)
                ]
            ).order_by("path"),
            "children": Office.objects.get_children(office).order_by("code"),
            "institutions": Institution.objects.filter(office=office),
            "branches": Branch.objects.filter(office=office).select_related("institution"),
        },
    )


@login_required
def institution_list(request: HttpRequest) -> HttpResponse:
    institutions = scoping.visible(request.user, Institution).select_related("office")
    query = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if query:
        institutions = institutions.filter(
            Q(name_zh__icontains=query)
            | Q(name_en__icontains=query)
            | Q(credit_code__startswith=query.upper())
        )
    if kind in InstitutionKind.values:
        institutions = institutions.filter(kind=kind)
    return render(
        request,
        "portal/institution_list.html",
        {
            "page": _page(request, institutions),
            "q": query,
            "kind": kind,
            "kinds": InstitutionKind.choices,
        },
    )


@login_required
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    institution = scoping.get_visible_or_404(request.user, Institution, pk=pk)
    branches = (
        scoping.visible(request.user, Branch)
        .filter(institution=institution)
        .select_related("office")
    )
    return render(
        request,
        "portal/institution_detail.html",
        {"institution": institution, "page": _page(request, branches)},
    )


@login_required
def branch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    branch = scoping.get_visible_or_404(
        request.user, Branch.objects.select_related("institution", "office"), pk=pk
    )
    return render(request, "portal/branch_detail.html", {"branch": branch})


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    visible = scoping.visible(request.user, AuditEvent)
    verbs = audit_text.verb_choices(visible.order_by().values_list("verb", flat=True).distinct())
    events = visible.select_related("office")
    verb = request.GET.get("verb", "").strip()
    if verb:
        events = events.filter(verb=verb)
    page = _page(request, events)
    rows = [
        (
            event,
            audit_text.sentence(event.actor_label, event.verb, event.object_label),
            audit_text.changes(event.changes, event.object_type),
        )
        for event in page
    ]
    context = {"page": page, "rows": rows, "verb": verb, "verbs": verbs}
    return render(request, "portal/audit_list.html", context)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    notes = scoping.visible(request.user, Notification)
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        notes = notes.filter(read_at=None)
    return render(
        request, "portal/inbox.html", {"page": _page(request, notes), "unread_only": unread_only}
    )


@login_required
def notification_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One notification, marked read by opening it, with its link into the portal."""
    note = scoping.get_visible_or_404(request.user, Notification, pk=pk)
    if note.read_at is None:
        notifications.mark_read(request.user, Notification.objects.filter(pk=note.pk))
    local = url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()})
    context = {"note": note, "link": note.url if local else ""}
    return render(request, "portal/notification_detail.html", context)


@login_required
@require_POST
def inbox_mark_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications.mark_read(request.user)
    return redirect("inbox")
