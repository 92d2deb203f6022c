"""The dashboard pages: an office's subtree for a quarter, the same page at every level from
the General Bureau down to one institution or branch, with breadcrumbs. Offices, institutions
and branches come through ``portal.scoping``: outside one's scope is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal import scoping
from portal.http import AuthenticatedHttpRequest
from portal.models import Branch, Institution, Office, Role
from reporting.forms import ReopenForm
from reporting.spec import PeriodKind
from reporting.specs import ALL as ALL_SPECS
from supervision.dashboards import charts, completeness
from supervision.dashboards import exports as dashboard_exports
from supervision.dashboards import panels as dashboards
from supervision.dashboards.models import DashboardExport, ExportKind

BOARD_SPECS = sorted({s.code for s in ALL_SPECS if s.period_kind == PeriodKind.QUARTER})
BOARD_STATES = [
    (completeness.MISSING, gettext_lazy("missing (not filed past the due date)")),
    *completeness.CellState.LABELS.items(),
]


def office_of(request: HttpRequest, code: str) -> Office:
    """The office ``code`` if the user is a regulator who may see it; else 404."""
    if not scoping.scope_of(request.user).is_regulator:
        raise Http404
    return scoping.get_visible_or_404(request.user, Office, code=code)


def chosen_quarter(request: HttpRequest) -> tuple[str | None, list[str]]:
    """The quarter asked for (``?period=``) if returns were requested for it, else the
    default (None when no quarter was requested yet); and the quarters to choose from."""
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
    period, available = chosen_quarter(request)
    context: dict[str, object] = {
        "office": office,
        "period": period,
        "quarters": available,
        "trail": breadcrumbs(request.user, office),
        **filer,
    }
    if period is not None:
        rank_by = request.GET.get("rank", "")
        rank_by = rank_by if rank_by in dashboards.RANK_BY else dashboards.RANK_BY[0]
        subject = dashboards.Subject(request.user, office, period, rank_by=rank_by, **filer)
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


# -- completeness and the status board ------------------------------------------------------


@login_required
def completeness_page(request: HttpRequest, code: str) -> HttpResponse:
    office = office_of(request, code)
    period, available = chosen_quarter(request)
    context: dict[str, object] = {
        "office": office,
        "period": period,
        "quarters": available,
        "trail": breadcrumbs(request.user, office),
    }
    if period is not None:
        found = completeness.completeness(request.user, office, period)
        context.update(found=found, chart=charts.completeness(found))
    return render(request, "supervision/dashboards/completeness.html", context)


BOARD_FILERS = 50


@login_required
def status_board(request: HttpRequest, code: str) -> HttpResponse:
    office = office_of(request, code)
    period, available = chosen_quarter(request)
    if period is None:
        return redirect("completeness", code=office.code)
    quarters = completeness.board_quarters(period)
    spec_code = request.GET.get("spec", "")
    spec_code = spec_code if spec_code in BOARD_SPECS else ""
    state = request.GET.get("state", "")
    state = state if state in dict(BOARD_STATES) else ""
    requests = completeness.board(request.user, office, quarters, spec_code, state)
    can_remind = scoping.may_act(request.user, office, Role.REVIEWER)
    if request.method == "POST":
        if not can_remind:
            raise Http404
        if request.POST.get("action") == "reopen":
            return _reopen(request, requests)
        return _remind(request, requests)
    page = Paginator(completeness.filers(requests), BOARD_FILERS).get_page(request.GET.get("page"))
    specs = [spec_code] if spec_code else list(BOARD_SPECS)
    columns = [(code, q) for code in specs for q in quarters]
    return render(
        request,
        "supervision/dashboards/board.html",
        {
            "office": office,
            "period": period,
            "quarters": available,
            "trail": breadcrumbs(request.user, office),
            "columns": columns,
            "rows": completeness.board_rows(requests, page, columns),
            "page": page,
            "specs": BOARD_SPECS,
            "spec": spec_code,
            "states": BOARD_STATES,
            "state": state,
            "can_remind": can_remind,
            "reopen_form": ReopenForm(),
        },
    )


def _ticked(request: HttpRequest, requests):
    """The returns ticked on the board, or every one the board's filter shows."""
    if request.POST.get("everything"):
        return requests
    ids = [pk for pk in request.POST.getlist("request") if pk.isdigit()]
    return requests.filter(pk__in=ids)


def _reopen(request: HttpRequest, requests) -> HttpResponse:
    """Reopen the closed periods of the ticked returns still owed, until a date."""
    chosen, form = _ticked(request, requests), ReopenForm(request.POST)
    if not chosen.exists():
        messages.error(request, _("Tick the returns whose period you want to reopen."))
    elif not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(map(str, errors)))  # the messages, as text
    else:
        data = form.cleaned_data
        try:
            count = completeness.reopen_owed(request.user, chosen, data["until"], data["reason"])
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                ngettext(
                    "Reopened %(count)d closed return until %(until)s.",
                    "Reopened %(count)d closed returns until %(until)s.",
                    count,
                )
                % {"count": count, "until": data["until"].isoformat()},
            )
    return redirect(request.get_full_path())


def _remind(request: HttpRequest, requests) -> HttpResponse:
    """Remind the filers ticked on the board, or every filer the board's filter shows."""
    chosen = _ticked(request, requests)
    if not chosen.exists():
        messages.error(request, _("Tick the returns whose filers you want to remind."))
    else:
        try:
            reminded = completeness.remind_filers(request.user, chosen)
        except PermissionDenied as error:
            raise Http404 from error
        messages.success(
            request,
            ngettext(
                "Reminded the filer of %(count)d return.",
                "Reminded the filers of %(count)d returns.",
                reminded.sent,
            )
            % {"count": reminded.sent},
        )
        if reminded.recent:
            messages.info(
                request,
                ngettext(
                    "The filer of %(count)d return was reminded less than a day ago and was "
                    "not reminded again.",
                    "The filers of %(count)d returns were reminded less than a day ago and "
                    "were not reminded again.",
                    reminded.recent,
                )
                % {"count": reminded.recent},
            )
    return redirect(request.get_full_path())


# -- exports --------------------------------------------------------------------------------


@login_required
def exports_page(request: HttpRequest, code: str) -> HttpResponse:
    """The user's exports of this office's subtree, and a form to ask for another."""
    office = office_of(request, code)
    period, available = chosen_quarter(request)
    if request.method == "POST":
        try:
            export = dashboard_exports.request_export(
                request.user, office, request.POST.get("period", ""), request.POST.get("kind", "")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(request.get_full_path())
        return redirect("dashboard-export", pk=export.pk)
    mine = scoping.visible(request.user, DashboardExport).filter(office=office)[:20]
    return render(
        request,
        "supervision/dashboards/exports.html",
        {
            "office": office,
            "period": period,
            "quarters": available,
            "trail": breadcrumbs(request.user, office),
            "exports": mine,
            "kinds": ExportKind.choices,
        },
    )


@login_required
def export_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An export's progress (polled while the worker builds it) and its download link."""
    export = scoping.get_visible_or_404(
        request.user, DashboardExport.objects.select_related("office"), pk=pk
    )
    template = "supervision/dashboards/export_detail.html"
    if request.htmx:
        template = "supervision/dashboards/_export_status.html"
    return render(request, template, {"export": export})


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    export = scoping.get_visible_or_404(request.user, DashboardExport, pk=pk)
    if export.status != DashboardExport.Status.DONE or not export.file:
        raise Http404
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=export.filename)
