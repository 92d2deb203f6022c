"""The regulator's review queue: signed filings of the office's subtree awaiting a decision,
filtered, decided one by one, by selection or all that match, and exported to Excel."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal import scoping
from portal.models import InstitutionKind, Role
from reporting import filings
from reporting.forms import BulkDecisionForm, QueueFilterForm
from reporting.models import Filing, FilingStatus
from reporting.workbooks import Sheet, bilingual, both, rows_workbook, safe_text, xlsx_response

PAGE_SIZE = 50


def _regulator_or_404(user) -> None:
    # The queue is the offices' work list; a bank officer follows their filings elsewhere.
    if not scoping.scope_of(user).is_regulator:
        raise Http404


def queue(user, filters: QueueFilterForm) -> QuerySet:
    """The filings ``user`` may see, narrowed by ``filters``, oldest signature first."""
    return (
        filters.filter(scoping.visible(user, Filing))
        .select_related("institution__office", "branch__office", "signed_by", "reviewed_by")
        .order_by(F("signed_at").asc(nulls_last=True), "pk")
    )


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    _regulator_or_404(request.user)
    # A bulk decision repeats the filters in its POST, so "all matching" means what was shown.
    filters = QueueFilterForm(request.POST if request.method == "POST" else request.GET)
    filings_qs = queue(request.user, filters)
    can_decide = bool(scoping.scope_of(request.user).roles() & set(Role.at_least(Role.REVIEWER)))
    form = BulkDecisionForm()
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied
        form = BulkDecisionForm(request.POST)
        if form.is_valid():
            return _decide(request, filters, filings_qs, form)
    page = Paginator(filings_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/review_queue.html",
        {
            "page": page,
            "filters": filters,
            "filter_params": filters.params(),
            "export_query": urlencode(filters.params()),
            "form": form,
            "can_decide": can_decide,
            "total": page.paginator.count,
        },
    )


def _decide(
    request: HttpRequest, filters: QueueFilterForm, filings_qs: QuerySet, form: BulkDecisionForm
) -> HttpResponse:
    # Only filings this user may decide as a reviewer; the service checks each one again.
    matching = filings_qs.filter(
        pk__in=scoping.actionable(request.user, Filing, Role.REVIEWER).values("pk")
    )
    if form.cleaned_data["target"] == "selected":
        matching = matching.filter(pk__in=form.cleaned_data["ids"])
    chosen = list(matching)
    asked = form.cleaned_data["confirmed"]
    if form.cleaned_data["target"] == "all" and chosen and asked != len(chosen):
        return _confirm_all(request, filters, form, chosen, changed_from=asked)
    done = filings.review_many(request.user, chosen, form.accept, form.cleaned_data["comment"])
    if form.accept:
        text = ngettext("%(done)d filing accepted.", "%(done)d filings accepted.", done)
    else:
        text = ngettext("%(done)d filing returned.", "%(done)d filings returned.", done)
    messages.success(request, text % {"done": done})
    if done < len(chosen):
        messages.warning(
            request,
            _("%(skipped)d could not be decided: they were no longer awaiting review.")
            % {"skipped": len(chosen) - done},
        )
    query = urlencode(filters.params())
    return redirect(reverse("review-queue") + (f"?{query}" if query else ""))


def _confirm_all(
    request: HttpRequest,
    filters: QueueFilterForm,
    form: BulkDecisionForm,
    chosen: list[Filing],
    changed_from: int | None,
) -> HttpResponse:
    """Before deciding on all that match, a page states how many and which, and asks once (a
    second submit, no JavaScript). If the count changed since it was stated, it asks again."""
    return render(
        request,
        "reporting/review_confirm.html",
        {
            "count": len(chosen),
            "shown": chosen[:PAGE_SIZE],
            "not_shown": max(len(chosen) - PAGE_SIZE, 0),
            "accept": form.accept,
            "comment": form.cleaned_data["comment"],
            "filter_params": filters.params(),
            "changed_from": changed_from,
            "back_query": urlencode(filters.params()),
        },
    )


# -- export --------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    ("报送机构", "Filer"),
    ("统一社会信用代码", "Credit code"),
    ("机构类型", "Institution type"),
    ("监管部门", "Supervising office"),
    ("报表", "Return"),
    ("版本", "Spec version"),
    ("报告期", "Period"),
    ("报送版次", "Filing version"),
    ("状态", "Status"),
    ("逾期", "Late"),
    ("回执号", "Receipt number"),
    ("上传时间", "Uploaded at"),
    ("签发人", "Signed by"),
    ("签发时间", "Signed at"),
    ("错误数", "Errors"),
    ("警告数", "Warnings"),
    ("行数", "Rows"),
    ("审核人", "Reviewed by"),
    ("审核时间", "Reviewed at"),
    ("审核意见", "Review comment"),
)
EXPORT_WIDTHS = (32, 22, 18, 24, 14, 8, 10, 8, 22, 8, 30, 18, 24, 18, 8, 8, 8, 24, 18, 40)


def _local(moment: datetime | None) -> datetime | None:
    # Excel has no time zones: write the portal's local time without one.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _person(user) -> str:
    return (user.full_name or user.email) if user else ""


def _export_row(filing: Filing, labels: dict) -> list:
    office = filing.branch.office if filing.branch is not None else filing.institution.office
    filer = filing.branch or filing.institution
    row = [
        filer.name_zh,
        filer.credit_code,
        labels["kind"][filing.institution.kind],
        office.name_zh,
        filing.spec_code,
        filing.spec_version,
        filing.period,
        filing.version,
        labels["status"][filing.status],
        labels["yes"] if filing.is_late else labels["no"],
        filing.receipt_number or "",
        _local(filing.uploaded_at),
        _person(filing.signed_by),
        _local(filing.signed_at),
        filing.error_count,
        filing.warning_count,
        filing.row_count,
        _person(filing.reviewed_by),
        _local(filing.reviewed_at),
        filing.review_comment,
    ]
    # Names and comments are typed by people: none of it may run as a formula in Excel.
    return [safe_text(value) for value in row]


@login_required
def review_export(request: HttpRequest) -> HttpResponse:
    """The queue under the same filters as an Excel workbook, written row by row (openpyxl's
    write-only mode), so memory stays flat however long the queue."""
    _regulator_or_404(request.user)
    filings_qs = queue(request.user, QueueFilterForm(request.GET))
    labels = {
        "kind": {value: bilingual(label) for value, label in InstitutionKind.choices},
        "status": {value: bilingual(label) for value, label in FilingStatus.choices},
        "yes": "是 / yes",
        "no": "否 / no",
    }
    rows = (_export_row(filing, labels) for filing in filings_qs.iterator(chunk_size=2000))
    body = rows_workbook(
        Sheet("审核队列 Review queue", [both(c) for c in EXPORT_COLUMNS], rows, EXPORT_WIDTHS)
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(body, f"review-queue-{stamp}.xlsx")
