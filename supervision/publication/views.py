"""The public site under ``/public/`` (no sign-in, both languages): the quarterly statistics
as built in a release (one row read per page, kept in the cache), their downloads and data
dictionary, and the published typical cases. And the offices' pages for writing, approving
and withdrawing typical cases, through ``portal.scoping``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import panels, scoping
from portal.http import AuthenticatedHttpRequest
from portal.models import Office, Role
from reporting.workbooks import xlsx_response
from supervision.publication import exports, selectors, services
from supervision.publication.dictionary import SUPPRESSED, Table, tables
from supervision.publication.forms import CaseForm, WithdrawForm
from supervision.publication.models import CaseStatus, StatisticsRelease, TypicalCase

RELEASE_SECONDS = 3600


def _release(quarter: str) -> StatisticsRelease:
    """The quarter's release from the cache (the build empties it), else its one row."""
    key = services.release_cache_key(quarter)
    found = cache.get(key)
    if found is None:
        found = selectors.release(quarter)
        if found is None:
            raise Http404
        cache.set(key, found, RELEASE_SECONDS)
    return found


def public_index(request: HttpRequest) -> HttpResponse:
    quarters = list(selectors.releases().values_list("quarter", flat=True))
    cases = selectors.published_cases()[:5]
    return render(
        request, "supervision/publication/index.html", {"quarters": quarters, "cases": cases}
    )


def public_statistics(request: HttpRequest, quarter: str) -> HttpResponse:
    release = _release(quarter)
    shown = [
        (
            table,
            [
                (r["name_zh"], r["name_en"], [r.get(c.key) for c in table.columns[1:]])
                for r in release.tables.get(key, [])
            ],
        )
        for key, table in tables().items()
    ]
    return render(
        request,
        "supervision/publication/statistics.html",
        {"release": release, "shown": shown, "suppressed": SUPPRESSED},
    )


def _download(quarter: str, table: Table, fmt: str) -> bytes:
    """A release's table as a file, written once from the release and then kept in the cache
    (a workbook of every institution takes longer to write than a page may)."""
    key = services.download_cache_key(quarter, table.key, fmt)
    found = cache.get(key)
    if found is None:
        release = _release(quarter)
        rows = release.tables.get(table.key, [])
        if fmt == "xlsx":
            found = exports.table_xlsx(table, rows, quarter, release.min_cell)
        else:
            found = exports.table_csv(table, rows)
        cache.set(key, found, RELEASE_SECONDS)
    return found


def public_download(request: HttpRequest, quarter: str, table: str, fmt: str) -> HttpResponse:
    found = tables().get(table)
    if found is None or fmt not in services.FORMATS:
        raise Http404
    content = _download(quarter, found, fmt)
    name = f"{table}-{quarter}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(content, name)
    response = HttpResponse(content, content_type="text/csv")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def public_dictionary(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "supervision/publication/dictionary.html",
        {"tables": tables().values(), "suppressed": SUPPRESSED},
    )


def public_dictionary_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(exports.dictionary_csv(), content_type="text/csv")
    response["Content-Disposition"] = content_disposition_header(True, "dictionary.csv")
    return response


def public_cases(request: HttpRequest) -> HttpResponse:
    return render(
        request, "supervision/publication/cases.html", {"cases": selectors.published_cases()}
    )


def public_case(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(selectors.published_cases(), pk=pk)
    return render(request, "supervision/publication/case.html", {"case": case})


# -- the offices' typical cases --------------------------------------------------------------


def _regulator(request: HttpRequest) -> None:
    if not scoping.scope_of(request.user).is_regulator:
        raise Http404


@login_required
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The cases of the reader's offices and below; a reviewer writes one here."""
    _regulator(request)
    offices = scoping.actionable(request.user, Office, Role.REVIEWER).order_by("path")
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        office = offices.filter(code=request.POST.get("office", "")).first()
        if office is None:
            raise Http404
        try:
            case = services.write_case(request.user, office, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The case waits for a head's approval."))
            return redirect("typical-case-detail", pk=case.pk)
    cases = scoping.visible(request.user, TypicalCase).select_related("office")
    return render(
        request,
        "supervision/publication/office_cases.html",
        {"cases": cases, "form": form, "offices": offices[:200]},
    )


@login_required
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _regulator(request)
    case = scoping.get_visible_or_404(
        request.user, TypicalCase.objects.select_related("office"), pk=pk
    )
    return render(
        request,
        "supervision/publication/office_case.html",
        {
            "case": case,
            "S": CaseStatus,
            "may_approve": scoping.may_act(request.user, case, services.APPROVER_ROLE),
            "withdraw_form": WithdrawForm(),
        },
    )


@login_required
@require_POST
def case_action(request: AuthenticatedHttpRequest, pk: int, verb: str) -> HttpResponse:
    case = scoping.get_visible_or_404(request.user, TypicalCase, pk=pk)
    try:
        if verb == "approve":
            services.approve_case(request.user, case)
            done = _("The typical case is approved and published on the public site.")
        elif verb == "withdraw":
            services.withdraw_case(request.user, case, request.POST.get("text", ""))
            done = _("The typical case is withdrawn from the public site.")
        else:
            raise Http404
    except PermissionDenied:
        messages.error(request, _("You cannot do this on this case."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        panels.confirm(request, done)
    return redirect("typical-case-detail", pk=case.pk)
