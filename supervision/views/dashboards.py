"""The dashboard pages: an office's subtree for a quarter, the same page at every level from
the General Bureau down to one institution or branch, with breadcrumbs. Offices, institutions
and branches come through ``portal.scoping``: outside one's scope is a 404."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from portal import scoping
from portal.models import Branch, Institution, Office
from supervision import dashboards


def office_of(request: HttpRequest, code: str) -> Office:
    """The office ``code`` if the user is a regulator who may see it; else 404."""
    if not scoping.scope_of(request.user).is_regulator:
        raise Http404
    return scoping.get_visible_or_404(request.user, Office, code=code)


def quarter_of(request: HttpRequest) -> tuple[str, list[str]]:
    """The quarter asked for (``?period=``) if returns were requested for it, else the
    default; and the quarters to choose from."""
    available = dashboards.quarters()
    asked = request.GET.get("period", "")
    period = asked if asked in available else dashboards.default_quarter(available)
    return period, available


def breadcrumbs(user, office: Office) -> list[Office]:
    """The office's ancestors the user may see, top down, then the office."""
    paths = [office.path[:i] for i in range(office.steplen, len(office.path) + 1, office.steplen)]
    return list(scoping.visible(user, Office).filter(path__in=paths).order_by("path"))


@login_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    """A regulator's own office's dashboard (the highest one, holding several roles)."""
    scope = scoping.scope_of(request.user)
    if not scope.is_regulator:
        raise Http404
    top = min((path for _, path in scope.offices), key=len)
    return redirect("dashboard", code=Office.objects.get(path=top).code)


def _render(request: HttpRequest, office: Office, **filer) -> HttpResponse:
    period, available = quarter_of(request)
    context = {
        "office": office,
        "period": period,
        "quarters": available,
        "trail": breadcrumbs(request.user, office),
        **filer,
    }
    if period is not None:
        subject = dashboards.Subject(request.user, office, period, **filer)
        context["subject"] = subject
        context["panels"] = dashboards.panels_for(subject)
    return render(request, "supervision/dashboards/dashboard.html", context)


@login_required
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    return _render(request, office_of(request, code))


@login_required
def dashboard_institution(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    office = office_of(request, code)
    institution = scoping.get_visible_or_404(request.user, Institution, pk=pk)
    return _render(request, office, institution=institution)


@login_required
def dashboard_branch(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    office = office_of(request, code)
    branch = scoping.get_visible_or_404(
        request.user, Branch.objects.select_related("institution"), pk=pk
    )
    return _render(request, office, institution=branch.institution, branch=branch)
