"""Pages of return requests: the list (a bank's to-do list, an office's completeness view)
and one request's page, with its upload form, the office's reopening and the history of
versions and decisions.

Rows come through ``portal.scoping``; uploads and reopening go through
``reporting.filings.filing_upload`` and ``reporting.schedule.request_reopen``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import scoping
from portal.models import Role
from reporting import filing_state, filings, schedule
from reporting.filing_tasks import filing_tasks
from reporting.forms import ReopenForm, RequestFilterForm, UploadForm
from reporting.models import Filing, FilingStatus, ReturnRequest, newer_version_exists
from reporting.specs import get_spec
from reporting.views.filings import reading_language
from reporting.views.specs import spec_url

PAGE_SIZE = 50
SIGNED = (FilingStatus.SUBMITTED, FilingStatus.ACCEPTED)
INCOMPLETE_UPLOAD = gettext_lazy(
    "The upload did not arrive complete (the connection was cut off). Upload the file again."
)


# -- request list --------------------------------------------------------------------------


def with_filing_state(requests: QuerySet) -> QuerySet:
    """Requests annotated with their latest filing (trials aside) and completeness: filed
    means signed (submitted or accepted); late means filed late, or not filed past the due
    date."""
    today = timezone.localdate()
    filed = Filing.objects.filter(request=OuterRef("pk"), check_only=False)
    latest = filed.order_by("-version")
    signed = filed.filter(status__in=SIGNED)
    return requests.annotate(
        latest_pk=Subquery(latest.values("pk")[:1]),
        latest_status=Subquery(latest.values("status")[:1]),
        latest_version=Subquery(latest.values("version")[:1]),
        is_filed=Exists(signed),
        filed_on_time=Exists(signed.filter(is_late=False)),
        is_open=Case(
            When(Q(closed_at__isnull=True) | Q(reopened_until__gte=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    ).annotate(
        is_late=Case(
            When(filed_on_time=True, then=Value(False)),
            When(Q(is_filed=True) | Q(due_date__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    scope = scoping.scope_of(request.user)
    requests = with_filing_state(
        scoping.visible(request.user, ReturnRequest).select_related(
            "institution", "branch", "office"
        )
    )
    filters = RequestFilterForm(request.GET)
    requests = filters.filter(requests)
    if scope.is_regulator:
        requests = requests.order_by("-due_date", "spec_code", "institution__name_zh", "pk")
    else:
        # A bank officer's to-do list: what can still be filed first, soonest due first.
        requests = requests.order_by("-is_open", "due_date", "spec_code", "pk")
    summary = requests.aggregate(
        total=Count("pk"),
        filed=Count("pk", filter=Q(is_filed=True)),
        late=Count("pk", filter=Q(is_late=True)),
    )
    summary["not_filed"] = summary["total"] - summary["filed"]
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.latest_status_label = FilingStatus(row.latest_status).label if row.latest_status else ""
    return render(
        request,
        "reporting/request_list.html",
        {"page": page, "filters": filters, "summary": summary, "is_regulator": scope.is_regulator},
    )


# -- request detail: upload, reopen, history -------------------------------------------------


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    req = scoping.get_visible_or_404(
        request.user, ReturnRequest.objects.select_related("institution", "branch", "office"), pk=pk
    )
    can_upload = scoping.may_act(request.user, req, Role.PREPARER)
    can_reopen = scoping.may_act(request.user, req, Role.REVIEWER)
    upload_form, reopen_form = UploadForm(), ReopenForm()
    if request.method == "POST":
        try:
            action = request.POST.get("action")
        except (UnreadablePostError, MultiPartParserError):
            # Only an upload has a body big enough to be cut off on the way.
            action, upload_form = "", _incomplete()
        if action == "reopen":
            reopen_form = ReopenForm(request.POST)
            if reopen_form.is_valid():
                try:
                    schedule.request_reopen(
                        request.user,
                        req,
                        reopen_form.cleaned_data["until"],
                        reopen_form.cleaned_data["reason"],
                    )
                except ValidationError as error:
                    reopen_form.add_error(None, error)
                else:
                    messages.success(request, _("The period is open again for this filer."))
                    return redirect("request-detail", pk=req.pk)
        elif action == "upload":
            upload_form, filing = _upload(request, req)
            if filing is not None:
                return redirect("filing-detail", pk=filing.pk)
    spec = get_spec(req.spec_code, req.spec_version)
    versions = (
        scoping.visible(request.user, Filing)
        .filter(request=req)
        .select_related("uploaded_by", "signed_by", "reviewed_by")
        .annotate(has_newer=newer_version_exists())
        .order_by("-uploaded_at", "-pk")
    )
    # Each version with the status shown: a version a newer one replaced says so.
    history = [
        (f, filing_state.shown_status(f, f.has_newer), filing_state.status_label(f, f.has_newer))
        for f in versions
    ]
    in_force = next((f for f, _status, _label in history if f.is_current), None)
    return render(
        request,
        "reporting/request_detail.html",
        {
            "req": req,
            "spec": spec,
            "spec_title": spec.title(reading_language()),
            "spec_url": spec_url(spec),
            "is_open": req.is_open_on(timezone.localdate()),
            "history": history,
            "tasks": filing_tasks([f for f, _status, _label in history]),
            # Once a version is accepted, there is nothing more to file for this request.
            "can_upload": can_upload and in_force is None,
            "in_force": in_force,
            "can_reopen": can_reopen and req.closed_at is not None,
            "upload_form": upload_form,
            "reopen_form": reopen_form,
        },
    )


def _incomplete() -> UploadForm:
    # A fresh form: nothing of a cut-off body is worth showing again.
    form = UploadForm()
    form.problem = INCOMPLETE_UPLOAD
    return form


def _upload(request: HttpRequest, req: ReturnRequest) -> tuple[UploadForm, Filing | None]:
    """Read the upload form and hand the file to ``filings.filing_upload``.

    A body cut off in transit shows as an unreadable body, or as a form whose hidden size
    arrived but whose file did not (Django drops a file part that never ended), or as a
    file shorter than the size the browser announced. The filer is told to upload again:
    it is not a fault of their workbook.
    """
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        if request.POST.get("declared_size", "").strip().isdigit() and not request.FILES:
            return _incomplete(), None
        return form, None
    upload = form.cleaned_data["file"]
    declared_size = form.cleaned_data["declared_size"]
    if declared_size is not None and upload.size < declared_size:
        return _incomplete(), None
    try:
        filing = filings.filing_upload(
            request.user,
            req,
            upload,
            name=upload.name,
            check_only=form.cleaned_data["check_only"],
            declared_size=declared_size,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return form, None
    if filing.check_only:
        messages.info(request, _("Your trial file is being checked; nothing has been filed."))
    else:
        messages.success(request, _("Received. The file is being validated."))
    return form, filing
