"""Complaint pages: the owner's intake, list and timeline; the institution's inbox; the
office's desk; one page per complaint with the forms its reader may use.

Rows come through ``portal.scoping`` (out of scope is a 404); changes go through
``supervision.complaints``. A refusal of the service shows as a message on the page.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.dateparse import parse_date
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal import panels, scoping
from portal.audit import request_address
from portal.http import AuthenticatedHttpRequest
from portal.models import Division, Office
from reporting.workbooks import xlsx_response
from supervision.complaints import closing, referral
from supervision.complaints import desk as office_desk
from supervision.complaints import services as complaints
from supervision.complaints.access import follow_tracking_link, send_tracking_link
from supervision.complaints.clock import local_day
from supervision.complaints.exports import statistics_workbook
from supervision.complaints.forms import (
    AcknowledgeForm,
    AnswerForm,
    AssessForm,
    InfoForm,
    IntakeForm,
    LinkForm,
    RateForm,
    ReferForm,
    StartForm,
    TextForm,
    TransferForm,
    branches_near,
)
from supervision.complaints.guard import count_filing, over_limit
from supervision.complaints.models import (
    Attachment,
    Category,
    Complaint,
    ComplaintLink,
    ComplaintStatus,
)
from supervision.complaints.statistics import by_child_office, figures, in_period, total

if TYPE_CHECKING:  # the stubs' name for a lazy translation; not installed in production
    from django_stubs_ext import StrPromise

PAGE_SIZE = 50


def _page(request: HttpRequest, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _complaints(user):
    return scoping.visible(user, Complaint).select_related(
        "institution", "branch", "office", "county", "referral__body"
    )


def _owner_only(request: HttpRequest) -> None:
    if not scoping.scope_of(request.user).is_sme_owner:
        raise Http404


@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    """The owner's complaints, the institution's inbox, or everything under an office."""
    scope = scoping.scope_of(request.user)
    rows = _complaints(request.user)
    status = request.GET.get("status", "")
    if status in ComplaintStatus.values:
        rows = rows.filter(status=status)
    elif request.GET.get("open", "1" if scope.is_bank else "") == "1":
        rows = rows.exclude(status__in=ComplaintStatus.finished())
    category = request.GET.get("category", "")
    if category in Category.values:
        rows = rows.filter(category=category)
    if request.GET.get("substantive") == "1":
        rows = rows.filter(substantive=True)
    institution = request.GET.get("institution", "")
    if institution.isdigit():
        rows = rows.filter(institution_id=int(institution))
    rows = rows.order_by("due_on", "pk") if scope.is_bank else rows
    return render(
        request,
        "supervision/complaints/list.html",
        {
            "page": _page(request, rows),
            "statuses": ComplaintStatus.choices,
            "categories": Category.choices,
            "status": status,
            "category": category,
            "today": local_day(),
        },
    )


@login_required
def complaint_desk(request: HttpRequest) -> HttpResponse:
    """The office's desk: complaints unanswered in time or whose answer the owner rejected."""
    if not scoping.scope_of(request.user).is_regulator:
        raise Http404
    rows = (
        _complaints(request.user)
        .filter(status__in=ComplaintStatus.on_desk())
        .order_by("at_office_since", "pk")
    )
    return render(
        request,
        "supervision/complaints/desk.html",
        {"page": _page(request, rows), "today": local_day()},
    )


@login_required
def complaint_file(request: AuthenticatedHttpRequest) -> HttpResponse:
    _owner_only(request)
    address = request_address.get()
    # Without JavaScript the county comes back in the query string to list its branches.
    form = IntakeForm(
        request.POST or None, request.FILES or None, initial={"county": request.GET.get("county")}
    )
    if request.method == "POST":
        if over_limit(f"user:{request.user.pk}", address):
            messages.error(
                request,
                _(
                    "Too many complaints have come from your account or address in the last "
                    "hour. Please wait a while and send this one again: what you wrote is kept "
                    "below (attach the files again)."
                ),
            )
        elif form.is_valid():
            data = dict(form.cleaned_data)
            for key in ("challenge", "challenge_answer"):
                data.pop(key)
            try:
                complaint = complaints.file_complaint(request.user, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                count_filing(f"user:{request.user.pk}", address)
                if form.data.get("enterprise_credit_code") != complaint.enterprise_credit_code:
                    # Spaces, lower case or full-width letters were tidied: say what was kept.
                    messages.info(
                        request,
                        _("The credit code was read as %(code)s.")
                        % {"code": complaint.enterprise_credit_code},
                    )
                return redirect("complaint-confirmation", pk=complaint.pk)
    return render(request, "supervision/complaints/file.html", {"form": form})


def complaint_start(request: HttpRequest) -> HttpResponse:
    """Filing without registering: an emailed link (the tracking code) signs the owner in.

    Opening the link only shows a page whose button posts the code (with the CSRF token), and
    nobody is signed in over someone already signed in: a link planted by someone else must
    not sign a victim's browser into the planter's account (login CSRF, issue 23)."""
    code = request.POST.get("code") if request.method == "POST" else request.GET.get("code")
    if code is not None:
        return _follow_link(request, code)
    if request.user.is_authenticated:
        return redirect("complaint-file" if scoping.scope_of(request.user).is_sme_owner else "home")
    address = request_address.get()
    form = StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        if over_limit(f"email:{email}", address):
            messages.error(request, _("Too many links were asked for; please try again later."))
        else:
            count_filing(f"email:{email}", address)
            send_tracking_link(email, form.cleaned_data["full_name"], form.cleaned_data["phone"])
            return render(request, "supervision/complaints/start_sent.html", {"email": email})
    return render(request, "supervision/complaints/start.html", {"form": form})


def _follow_link(request: HttpRequest, code: str) -> HttpResponse:
    template = "supervision/complaints/start_confirm.html"
    if request.user.is_authenticated:
        status = 409 if request.method == "POST" else 200
        return render(request, template, {"signed_in": request.user}, status=status)
    if request.method != "POST":
        page = render(request, template, {"code": code})
        add_never_cache_headers(page)  # the page holds the link's code
        return page
    owner = follow_tracking_link(code)
    if owner is None:
        messages.error(request, _("This link no longer works; please ask for a new one."))
        return redirect("complaint-start")
    login(request, owner, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("complaint-list" if owner.complaints.exists() else "complaint-file")


@login_required
def complaint_branch_options(request: HttpRequest) -> HttpResponse:
    """The branch choices for a county, for the intake form (htmx)."""
    _owner_only(request)
    county = (
        Division.objects.filter(code=request.GET.get("county", "")).select_related("office").first()
    )
    branches = branches_near(county) if county is not None else []
    return render(request, "supervision/complaints/_branch_options.html", {"branches": branches})


@login_required
def complaint_confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = scoping.get_visible_or_404(
        request.user, _complaints(request.user).filter(owner=request.user), pk=pk
    )
    return render(request, "supervision/complaints/confirmation.html", {"complaint": complaint})


@login_required
def complaint_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    complaint = scoping.get_visible_or_404(request.user, _complaints(request.user), pk=pk)
    owner = complaints.is_owner(request.user, complaint)
    bank = complaints.can_answer(request.user, complaint)
    office = complaints.can_supervise(request.user, complaint)
    events = complaint.events.select_related("actor").prefetch_related("files")
    if owner:
        events = events.filter(internal=False)
    links = (
        ComplaintLink.objects.filter(Q(complaint=complaint) | Q(other=complaint))
        .select_related("complaint", "other")
        .order_by("created_at")
    )
    linked = [
        (ln.kind, ln.other if ln.complaint_id == complaint.pk else ln.complaint) for ln in links
    ]
    visible_ids = set(
        scoping.visible(request.user, Complaint)
        .filter(pk__in=[c.pk for _, c in linked])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "supervision/complaints/detail.html",
        {
            "complaint": complaint,
            "events": events,
            "is_owner": owner,
            "is_bank": bank,
            "is_office": office,
            "linked": [(kind, c) for kind, c in linked if c.pk in visible_ids],
            "today": local_day(),
            "S": ComplaintStatus,
            "acknowledge_form": AcknowledgeForm(),
            "answer_form": AnswerForm(),
            "info_form": InfoForm(),
            "text_form": TextForm(),
            "assess_form": AssessForm(),
            "link_form": LinkForm(),
            "transfer_form": TransferForm(),
            "rate_form": RateForm(),
            "refer_form": ReferForm(),
        },
    )


def _text(form_class, request: HttpRequest):
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        raise ValidationError(errors or _("Please fill in the form."))
    return form.cleaned_data


def _transfer(request: AuthenticatedHttpRequest, complaint: Complaint) -> None:
    data = _text(TransferForm, request)
    office = None
    if data["office_code"]:
        office = Office.objects.filter(code=data["office_code"].strip()).first()
        if office is None:
            raise ValidationError(_("No office has that division code."))
    office_desk.transfer(
        request.user, complaint, data["text"], branch=data["branch"], office=office
    )


Action = Callable[[AuthenticatedHttpRequest, Complaint], object]

# Each verb of the complaint's page: the service it calls, and what the confirmation panel of
# the next page says was done.
ACTIONS: "dict[str, tuple[Action, StrPromise]]" = {
    "acknowledge": (
        lambda r, c: complaints.acknowledge(r.user, c, _text(AcknowledgeForm, r)["complexity"]),
        gettext_lazy("You acknowledged the complaint. Answer it by its due date."),
    ),
    "request-info": (
        lambda r, c: complaints.request_info(r.user, c, _text(TextForm, r)["text"]),
        gettext_lazy("Your request for more information is sent to the complainant."),
    ),
    "provide-info": (
        lambda r, c: complaints.provide_info(
            r.user, c, (d := _text(InfoForm, r))["text"], d["attachments"]
        ),
        gettext_lazy("Your information is sent to the institution."),
    ),
    "extend": (
        lambda r, c: complaints.extend(r.user, c, _text(TextForm, r)["text"]),
        gettext_lazy("The answer's due date is extended."),
    ),
    "answer": (
        lambda r, c: complaints.answer(
            r.user, c, (d := _text(AnswerForm, r))["outcome"], d["text"]
        ),
        gettext_lazy("Your answer is sent to the complainant."),
    ),
    "accept": (
        lambda r, c: complaints.accept_answer(r.user, c),
        gettext_lazy("You accepted the institution's answer."),
    ),
    "reject": (
        lambda r, c: complaints.reject_answer(r.user, c, _text(TextForm, r)["text"]),
        gettext_lazy(
            "You did not accept the answer: the complaint goes to the supervising office."
        ),
    ),
    "assess": (
        lambda r, c: office_desk.assess(
            r.user, c, (d := _text(AssessForm, r))["substantive"], d["text"]
        ),
        gettext_lazy("Your assessment of the complaint is recorded."),
    ),
    "mediate": (
        lambda r, c: office_desk.mediate(r.user, c, _text(TextForm, r)["text"]),
        gettext_lazy("The complaint is in mediation."),
    ),
    "close": (
        lambda r, c: office_desk.close(r.user, c, _text(TextForm, r)["text"]),
        gettext_lazy("The complaint is closed."),
    ),
    "link": (
        lambda r, c: office_desk.link(r.user, c, (d := _text(LinkForm, r))["reference"], d["kind"]),
        gettext_lazy("The link between the complaints is recorded."),
    ),
    "transfer": (_transfer, gettext_lazy("The complaint is transferred.")),
    "rate": (
        lambda r, c: closing.rate(
            r.user, c, (d := _text(RateForm, r))["rating"], d["solved"], d["text"]
        ),
        gettext_lazy("Thank you: your rating of how the complaint was handled is recorded."),
    ),
    "refer": (
        lambda r, c: referral.refer(r.user, c, (d := _text(ReferForm, r))["body"], d["text"]),
        gettext_lazy("The complaint is referred to the body you chose."),
    ),
}


@login_required
@require_POST
def complaint_action(request: AuthenticatedHttpRequest, pk: int, verb: str) -> HttpResponse:
    complaint = scoping.get_visible_or_404(request.user, Complaint, pk=pk)
    if verb not in ACTIONS:
        raise Http404
    action, done = ACTIONS[verb]
    try:
        action(request, complaint)
    except PermissionDenied:
        messages.error(request, _("You cannot do this on this complaint."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        panels.confirm(request, done)
    return redirect("complaint-detail", pk=complaint.pk)


@login_required
def complaint_attachment(request: HttpRequest, pk: int) -> FileResponse:
    attachment = scoping.get_visible_or_404(request.user, Attachment, pk=pk)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    # Always a download, never rendered in the portal's origin.
    response["Content-Disposition"] = content_disposition_header(True, attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- statistics ---------------------------------------------------------------------------


def _statistics(request: HttpRequest) -> dict:
    """The reader's complaints in the period asked (this year so far by default), grouped."""
    scope = scoping.scope_of(request.user)
    if not (scope.is_regulator or scope.is_bank):
        raise Http404
    today = local_day()
    start = parse_date(request.GET.get("from", "") or "") or today.replace(month=1, day=1)
    last = parse_date(request.GET.get("to", "") or "") or today
    if last < start:
        start, last = last, start
    end = last + timedelta(days=1)
    visible = scoping.visible(request.user, Complaint)
    by_institution = figures(visible, start, end, by="institution")
    if scope.is_regulator:
        # A regulator reads its office's own complaints and each child office's subtree.
        roots = Office.objects.filter(path__in=[path for _, path in scope.offices])
        by_office = [row for root in roots for row in by_child_office(visible, root, start, end)]
    else:
        by_office = figures(visible, start, end, by="office")
    return {
        "start": start,
        "last": last,
        "end": end,
        "by_institution": by_institution,
        "by_office": by_office,
        "overall": total(by_institution),
        "categories": Category.choices,
        "complaints": in_period(visible, start, end),
    }


@login_required
def complaint_statistics(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/complaints/statistics.html", _statistics(request))


@login_required
def complaint_statistics_xlsx(request: HttpRequest) -> HttpResponse:
    data = _statistics(request)
    body = statistics_workbook(data["by_institution"], data["by_office"], data["complaints"])
    return xlsx_response(body, f"complaints-{data['start']:%Y%m%d}-{data['last']:%Y%m%d}.xlsx")
