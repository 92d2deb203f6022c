"""Pages of one assignment: its enterprises with the bank's answers, the answers typed in by
the bank (a handful of enterprises) and its SCREENING-RESULT workbook to fill offline; and the
list of overdue assignments.

Rows come through ``portal.scoping``; the answers are filed through
``supervision.screening.results``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import scoping
from portal.http import AuthenticatedHttpRequest
from portal.models import Role
from reporting.workbooks import xlsx_response
from supervision.screening import contacts
from supervision.screening import deadlines as screening_deadlines
from supervision.screening import results as screening_results
from supervision.screening.forms import ResultRowFormSet
from supervision.screening.models import Assignment, AssignmentEntry, TaskEnterprise
from supervision.screening.views import page_of

# -- overdue -------------------------------------------------------------------------------


@login_required
def overdue_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    page = page_of(
        request,
        screening_deadlines.overdue_assignments(scoping.visible(request.user, Assignment), today),
    )
    for assignment in page:
        assignment.days_overdue = screening_deadlines.days_overdue(assignment, today)
    return render(request, "supervision/screening/overdue_list.html", {"page": page})


# -- one assignment: its enterprises, and a bank's answers typed in -----------------------

ROW_FORM_LIMIT = 20  # more enterprises than this are answered by uploading the workbook


@login_required
def assignment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = scoping.get_visible_or_404(
        request.user,
        Assignment.objects.select_related("task", "office", "institution", "branch", "request"),
        pk=pk,
    )
    current = list(
        scoping.visible(request.user, TaskEnterprise)
        .filter(assignment=assignment)
        .order_by("credit_code")[: ROW_FORM_LIMIT + 1]
    )
    assert assignment.request is not None, "given as it is created (assignment._assignment_for)"
    can_answer = len(current) <= ROW_FORM_LIMIT and scoping.may_act(
        request.user, assignment.request, Role.PREPARER
    )
    formset = None
    if can_answer:
        initial = [
            {"credit_code": e.credit_code, "contact_date": timezone.localdate()}
            | {k: getattr(e, k) for k in ("decision", "decline_reason", "credit_amount")}
            | {k: getattr(e, k) for k in ("loan_amount", "rate", "first_time")}
            for e in current
        ]
        formset = ResultRowFormSet(request.POST or None, initial=initial)
        if request.method == "POST" and formset.is_valid():
            rows = [row for form in formset if (row := form.row())]
            try:
                filing = screening_results.results_file(request.user, assignment, rows)
            except ValidationError as error:
                messages.error(request, "; ".join(error.messages))
            else:
                messages.success(request, _("Received. The answers are being validated."))
                return redirect("filing-detail", pk=filing.pk)
    elif request.method == "POST":
        raise Http404
    entries = (
        scoping.visible(request.user, AssignmentEntry)
        .filter(assignment=assignment)
        .select_related("enterprise__assignment", "filing")
        .order_by("enterprise__credit_code")
    )
    page = page_of(request, entries)
    for entry in page:
        entry.decline_label = screening_results.decline_reason_label(entry.decline_reason)
    contacts.mask_contacts(request.user, [entry.enterprise for entry in page])
    names = {e.credit_code: e.name for e in current}
    return render(
        request,
        "supervision/screening/assignment_detail.html",
        {
            "assignment": assignment,
            "page": page,
            "formset": formset,
            "rows": [(names.get(f.initial.get("credit_code", ""), ""), f) for f in formset or []],
            "is_filed": screening_deadlines.with_filing_state(Assignment.objects.filter(pk=pk))
            .values_list("is_filed", flat=True)
            .get(),
            "today": timezone.localdate(),
        },
    )


@login_required
def assignment_workbook(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = scoping.get_visible_or_404(
        request.user, Assignment.objects.select_related("task"), pk=pk
    )
    name = f"{screening_results.RESULT_SPEC.code}-{assignment.task.period}-{assignment.pk}.xlsx"
    return xlsx_response(screening_results.results_workbook(assignment), name)
