"""Pages of enterprise screening: the task list, a new task from an uploaded list, the task
page (roll-up by child office, the office's actions, its enterprises), one enterprise's
history and the overdue list.

Rows come through ``portal.scoping``; every change goes through ``supervision.screening``.
Lists are paginated and every figure is an aggregate, so pages stay fast for a task of
200,000 enterprises.
"""

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_htmx.http import HttpResponseClientRefresh

from portal import scoping
from portal.models import Branch, Institution, Office, Role
from reporting.workbooks import xlsx_response
from supervision.screening import contacts, rollup
from supervision.screening import deadlines as screening_deadlines
from supervision.screening import jobs as screening_jobs
from supervision.screening import services as screening
from supervision.screening.models import (
    Assignment,
    AssignmentEntry,
    Decision,
    Delegation,
    KeyArea,
    ScreeningJob,
    ScreeningTask,
    TaskEnterprise,
)

PAGE_SIZE = 50


def _page(request: HttpRequest, qs: QuerySet, count: int | None = None):
    """A page of ``qs``; ``count``, when the caller knows it, spares counting the rows again."""
    paginator = Paginator(qs, PAGE_SIZE)
    if count is not None:
        paginator.count = count
    return paginator.get_page(request.GET.get("page"))


def _codes(text: str) -> list[str]:
    """Codes typed with commas, spaces or new lines between them."""
    return [c for c in text.replace(",", " ").replace("，", " ").split() if c]


# -- forms ---------------------------------------------------------------------------------


class TaskForm(forms.Form):
    office = forms.ChoiceField(label=gettext_lazy("Office"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    key_areas = forms.MultipleChoiceField(
        label=gettext_lazy("Key areas"),
        required=False,
        choices=KeyArea.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    file = forms.FileField(
        label=gettext_lazy("Enterprise list (SCREENING-LIST .xlsx)"), required=False
    )
    rows = forms.CharField(
        label=gettext_lazy("Or paste the rows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Rows copied from the template, one enterprise a line, its columns in the "
            "template's order separated by tabs."
        ),
    )

    def __init__(self, *args, offices: list[Office], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.offices = {o.code: o for o in offices}
        self.fields["office"].choices = [(o.code, o.name) for o in offices]

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("file")) == bool(cleaned.get("rows", "").strip()):
            raise ValidationError(_("Upload the list or paste its rows (one of the two)."))
        return cleaned

    def enterprises(self):
        """The checked list, from the workbook or the pasted rows."""
        if not self.cleaned_data["file"]:
            keys = screening.LIST_SPEC.column_keys
            lines = [line for line in self.cleaned_data["rows"].splitlines() if line.strip()]
            return screening.list_from_rows(
                [dict(zip(keys, line.split("\t"), strict=False)) for line in lines]
            )
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "list.xlsx"
            with path.open("wb") as out:
                for chunk in self.cleaned_data["file"].chunks():
                    out.write(chunk)
            return screening.read_list(path)


class DelegateForm(forms.Form):
    child = forms.ChoiceField(label=gettext_lazy("Child office"))
    counties = forms.CharField(
        label=gettext_lazy("Counties (division codes)"),
        required=False,
        help_text=gettext_lazy("Blank: every county the child office covers."),
    )

    def __init__(self, *args, children: list[Office], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.children = {o.code: o for o in children}
        self.fields["child"].choices = [(o.code, o.name) for o in children]


class AssignForm(forms.Form):
    filer = forms.ChoiceField(label=gettext_lazy("Bank or branch"))
    counties = forms.CharField(label=gettext_lazy("Counties (division codes)"), required=False)
    credit_codes = forms.CharField(
        label=gettext_lazy("Or enterprises (credit codes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, office: Office, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        institutions = Institution.objects.filter(
            office__path__startswith=office.path, is_active=True
        ).order_by("name_zh")
        branches = (
            Branch.objects.filter(office__path__startswith=office.path, is_active=True)
            .select_related("institution")
            .order_by("name_zh")
        )
        self.fields["filer"].choices = [
            *((f"i:{i.pk}", i.name) for i in institutions),
            *((f"b:{b.pk}", b.name) for b in branches),
        ]

    def chosen_filer(self) -> tuple[Institution, Branch | None]:
        kind, pk = self.cleaned_data["filer"].split(":")
        if kind == "b":
            branch = Branch.objects.select_related("institution", "office").get(pk=pk)
            return branch.institution, branch
        return Institution.objects.get(pk=pk), None


class AutoAssignForm(forms.Form):
    rule = forms.ChoiceField(
        label=gettext_lazy("Rule"),
        choices=[
            (Assignment.Rule.ROUND_ROBIN, Assignment.Rule.ROUND_ROBIN.label),
            (Assignment.Rule.RELATIONSHIP, Assignment.Rule.RELATIONSHIP.label),
        ],
    )


class EnterpriseFilterForm(forms.Form):
    STATES = [
        ("", gettext_lazy("All")),
        ("unassigned", gettext_lazy("Not assigned")),
        ("assigned", gettext_lazy("Assigned, no answer yet")),
        *Decision.choices,
    ]
    county = forms.RegexField(
        label=gettext_lazy("County"), regex=r"^\d{6}$", required=False, max_length=6
    )
    state = forms.ChoiceField(label=gettext_lazy("State"), choices=STATES, required=False)

    def known_count(self, figures: "rollup.Figures") -> int | None:
        """How many the filter lets through, read from the roll-up's ``figures`` when it
        filters by state alone (a county needs counting)."""
        if not self.is_valid() or self.cleaned_data.get("county"):
            return None
        state = self.cleaned_data.get("state")
        return figures.count_in(state) if state else figures.enterprises

    def filter(self, enterprises: QuerySet) -> QuerySet:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("county"):
            enterprises = enterprises.filter(county=data["county"])
        match data.get("state"):
            case "unassigned":
                enterprises = enterprises.filter(assignment__isnull=True)
            case "assigned":
                enterprises = enterprises.filter(assignment__isnull=False, decision="")
            case "" | None:
                pass
            case decision:
                enterprises = enterprises.filter(decision=decision)
        return enterprises


# -- task list and creation ----------------------------------------------------------------


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    scope = scoping.scope_of(request.user)
    tasks = scoping.visible(request.user, ScreeningTask).select_related("office")
    page = _page(request, tasks.order_by("-created_at", "-pk"))
    figures = rollup.per_task(scoping.visible(request.user, TaskEnterprise), list(page))
    for task in page:
        task.figures = figures.get(task.pk) or rollup.Figures(None)
    return render(
        request,
        "supervision/screening/task_list.html",
        {"page": page, "scope": scope, "can_create": bool(_creating_offices(request.user))},
    )


def _creating_offices(user) -> list[Office]:
    """The offices the user holds a reviewer's or head's role at: where they may open tasks."""
    scope = scoping.scope_of(user)
    paths = [p for role, p in scope.offices if role in Role.at_least(Role.REVIEWER)]
    return list(Office.objects.filter(path__in=paths).order_by("path"))


@login_required
def task_create(request: HttpRequest) -> HttpResponse:
    offices = _creating_offices(request.user)
    if not offices:
        raise Http404
    form = TaskForm(request.POST or None, request.FILES or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        office = form.offices[data["office"]]
        fields = {k: data[k] for k in ("title", "purpose", "key_areas", "deadline")}
        upload = data["file"]
        try:
            if upload and upload.size > screening_jobs.SYNC_LIST_BYTES:
                # Too large to read in the page: a worker reads it; the task page follows.
                task = screening.task_open(request.user, office, workbook=upload, **fields)
                job = screening_jobs.submit(
                    request.user, task, office, ScreeningJob.Kind.LOAD_LIST, {}
                )
                messages.info(request, job_message(job))
                return redirect("screening-task", pk=task.pk)
            task = screening.task_create(
                request.user, office, enterprises=form.enterprises(), **fields
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                ngettext(
                    "The task was created with %(n)d enterprise.",
                    "The task was created with %(n)d enterprises.",
                    task.enterprise_count,
                )
                % {"n": task.enterprise_count},
            )
            return redirect("screening-task", pk=task.pk)
    return render(request, "supervision/screening/task_create.html", {"form": form})


# -- the task page -------------------------------------------------------------------------


def _top(request: HttpRequest, task: ScreeningTask) -> Office | None:
    """The highest office of the task a regulator may look at: the task's own office for a
    reader above it, else the reader's office (one the task was delegated down to)."""
    paths = [p for _, p in scoping.scope_of(request.user).offices]
    if not paths:
        return None
    if any(task.office.path.startswith(p) for p in paths):
        return task.office
    return Office.objects.filter(path__in=paths).order_by("path").first()


def _viewpoint(request: HttpRequest, task: ScreeningTask, top: Office | None) -> Office | None:
    """The office whose part of the task the page shows: ``top``, or an office below it
    chosen with ``?office=``."""
    at = top
    if at is None:
        return None
    code = request.GET.get("office", "").strip()
    if code and code != at.code:
        chosen = scoping.visible(request.user, Office).filter(code=code).first()
        if chosen is None or not chosen.path.startswith(at.path):
            raise Http404
        at = chosen
    return at


def _ancestry(top: Office, at: Office) -> list[Office]:
    """Offices from ``top`` down to ``at``, for the breadcrumbs of a drill-down."""
    if at.path == top.path:
        return [top]
    return list(
        Office.objects.filter(
            path__in=[at.path[:n] for n in range(len(top.path), len(at.path) + 1, Office.steplen)]
        ).order_by("path")
    )


def _posted_job(request: HttpRequest, at: Office) -> tuple[str, dict]:
    """The job (kind and parameters) the office ``at`` posted; a bad form raises."""
    Kind, action = ScreeningJob.Kind, request.POST.get("action")
    if action in (Kind.DELEGATE_BY_COUNTY, Kind.REASSIGN_DECLINED):
        return action, {}
    if action == Kind.DELEGATE:
        form = DelegateForm(request.POST, children=list(Office.objects.get_children(at)))
        if not form.is_valid():
            raise ValidationError(_("Choose a child office."))
        counties = _codes(form.cleaned_data["counties"])
        return action, {"child": form.cleaned_data["child"], "counties": counties}
    if action == Kind.AUTO_ASSIGN:
        form = AutoAssignForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose a rule."))
        return action, {"rule": form.cleaned_data["rule"]}
    if action == Kind.ASSIGN:
        form = AssignForm(request.POST, office=at)
        if not form.is_valid():
            raise ValidationError(_("Choose a bank or branch."))
        institution, branch = form.chosen_filer()
        return action, {
            "institution": institution.pk,
            "branch": branch.pk if branch else None,
            "counties": _codes(form.cleaned_data["counties"]),
            "credit_codes": _codes(form.cleaned_data["credit_codes"]),
        }
    raise ValidationError(_("Unknown action."))


def job_message(job: ScreeningJob) -> str:
    """What a job did, or why it could not, or that it is still at work."""
    Kind, result = ScreeningJob.Kind, job.result
    if job.is_pending:
        return _("%(work)s: in progress. This page shows the result when it is done.") % {
            "work": job.get_kind_display()
        }
    if job.status == ScreeningJob.Status.FAILED:
        return "; ".join(job.errors)
    n = result.get("enterprises", 0)
    match job.kind:
        case Kind.LOAD_LIST:
            return ngettext(
                "The task was created with %(n)d enterprise.",
                "The task was created with %(n)d enterprises.",
                n,
            ) % {"n": n}
        case Kind.DELEGATE_BY_COUNTY:
            return _("Delegated %(n)d enterprises to %(offices)d offices.") % {
                "n": n,
                "offices": result["offices"],
            }
        case Kind.DELEGATE:
            return _("Delegated %(n)d enterprises.") % {"n": n}
        case Kind.ASSIGN:
            return _("Assigned %(n)d enterprises.") % {"n": n}
    text = _("Assigned %(n)d enterprises to %(banks)d banks.") % {"n": n, "banks": result["banks"]}
    if result.get("unplaced"):
        text += " " + _("No bank in the county for %(n)d enterprises (%(counties)s).") % {
            "n": sum(result["unplaced"].values()),
            "counties": ", ".join(sorted(result["unplaced"])),
        }
    return text


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = scoping.get_visible_or_404(
        request.user, ScreeningTask.objects.select_related("office"), pk=pk
    )
    top = _top(request, task)
    at = _viewpoint(request, task, top)
    share = Delegation.objects.filter(task=task, office=at).first() if at else None
    can_act = share is not None and scoping.may_act(request.user, at, Role.REVIEWER)
    if request.method == "POST":
        if not can_act:
            raise Http404
        try:
            kind, params = _posted_job(request, at)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            job = screening_jobs.submit(request.user, task, at, kind, params)
            failed = job.status == ScreeningJob.Status.FAILED
            (messages.error if failed else messages.success)(request, job_message(job))
        return redirect(f"{request.path}?office={at.code}")

    enterprises = scoping.visible(request.user, TaskEnterprise).filter(task=task)
    if at is not None:
        enterprises = rollup.enterprises_under(enterprises, at)
    figures = own_total = None
    if at is not None:
        figures = rollup.rollup(enterprises, at)
        figures.declined_by_reason = [
            (screening.decline_reason_label(reason), n) for reason, n in figures.declined_by_reason
        ]
    else:
        own_total = rollup.Figures.of(None, enterprises.aggregate(**rollup.FIGURES))
    filters = EnterpriseFilterForm(request.GET)
    page = _page(
        request,
        filters.filter(enterprises).order_by("credit_code"),
        # The roll-up has counted them already, unless a county is chosen.
        count=filters.known_count(figures.total) if figures else None,
    )
    # Joined for the page's rows only: joined in the paged query, they would be joined for
    # every row a deep page skips too.
    page.object_list = list(page.object_list)
    prefetch_related_objects(
        page.object_list, "holder", "assignment__institution", "assignment__branch"
    )
    contacts.mask_contacts(request.user, page.object_list)
    assignments = screening_deadlines.with_filing_state(
        scoping.visible(request.user, Assignment).filter(task=task)
    ).select_related("institution", "branch", "office")
    if at is not None:
        assignments = assignments.filter(office=at)
    context = {
        **_jobs(request, task, at),
        "task": task,
        "at": at,
        "trail": _ancestry(top, at) if at and top else [],
        "share": share,
        "can_act": can_act,
        "figures": figures,
        "own_total": own_total,
        "page": page,
        "filters": filters,
        "assignments": assignments.order_by("institution__name_zh", "branch__name_zh", "pk")[:200],
        "today": timezone.localdate(),
    }
    if can_act:
        context.update(
            delegate_form=DelegateForm(children=list(Office.objects.get_children(at))),
            assign_form=AssignForm(office=at),
            auto_form=AutoAssignForm(),
            held=screening.held(task, at).count(),
        )
    return render(request, "supervision/screening/task_detail.html", context)


def _jobs(request: HttpRequest, task: ScreeningTask, at: Office | None) -> dict:
    """The office's latest jobs on the task, each with what it did or is doing."""
    if at is None:
        return {"jobs": [], "pending": False}
    jobs = list(scoping.visible(request.user, ScreeningJob).filter(task=task, office=at)[:5])
    for job in jobs:
        job.text = job_message(job)
    return {"jobs": jobs, "pending": any(job.is_pending for job in jobs)}


@login_required
def task_jobs(request: HttpRequest, pk: int) -> HttpResponse:
    """The jobs block that the task page polls while one is at work; once all are done, an
    htmx request gets a refresh so the page shows their effect."""
    task = scoping.get_visible_or_404(
        request.user, ScreeningTask.objects.select_related("office"), pk=pk
    )
    at = _viewpoint(request, task, _top(request, task))
    context = {"task": task, "at": at, **_jobs(request, task, at)}
    if getattr(request, "htmx", False) and not context["pending"]:
        return HttpResponseClientRefresh()
    return render(request, "supervision/screening/_jobs.html", context)


# -- one enterprise's history --------------------------------------------------------------


@login_required
def enterprise_history(request: HttpRequest, credit_code: str) -> HttpResponse:
    code = credit_code.strip().upper()
    listed = (
        scoping.visible(request.user, TaskEnterprise)
        .filter(credit_code=code)
        .select_related("task__office", "holder", "assignment__institution", "assignment__branch")
        .order_by("-task__created_at")
    )
    entries = (
        scoping.visible(request.user, AssignmentEntry)
        .filter(enterprise__credit_code=code)
        .select_related(
            "enterprise__task",
            "assignment__office",
            "assignment__institution",
            "assignment__branch",
            "filing",
        )
        .order_by("-assigned_at", "-pk")
    )
    listed, entries = list(listed[:100]), list(entries[:500])
    if not listed and not entries:
        raise Http404
    contacts.mask_contacts(request.user, listed)
    for entry in entries:
        entry.decline_label = screening.decline_reason_label(entry.decline_reason)
    name = listed[0].name if listed else entries[0].enterprise.name
    return render(
        request,
        "supervision/screening/enterprise_history.html",
        {"code": code, "name": name, "listed": listed, "entries": entries},
    )


@login_required
def enterprise_lookup(request: HttpRequest) -> HttpResponse:
    """The history page of the credit code typed in the search box."""
    code = request.GET.get("code", "").strip().upper()
    if not code:
        return redirect("screening-tasks")
    return redirect("screening-enterprise", credit_code=code)


# -- overdue -------------------------------------------------------------------------------


@login_required
def overdue_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    page = _page(
        request,
        screening_deadlines.overdue_assignments(scoping.visible(request.user, Assignment), today),
    )
    for assignment in page:
        assignment.days_overdue = screening_deadlines.days_overdue(assignment, today)
    return render(request, "supervision/screening/overdue_list.html", {"page": page})


# -- one assignment: its enterprises, and a bank's answers typed in -----------------------

ROW_FORM_LIMIT = 20  # more enterprises than this are answered by uploading the workbook
RESULT_COLUMNS = {c.key: c for c in screening.RESULT_SPEC.columns}


def _choices(key: str, blank: str = "") -> list[tuple[str, str]]:
    lang = screening.reading_language()
    column = RESULT_COLUMNS[key]
    return [
        ("", blank),
        *((c.value, c.label_zh if lang == "zh" else c.label_en) for c in column.choices),
    ]


class ResultRowForm(forms.Form):
    """One enterprise's answer; a row left without a decision is not filed."""

    credit_code = forms.CharField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), required=False)
    contact_date = forms.DateField(
        label=gettext_lazy("Contact date"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    decline_reason = forms.ChoiceField(label=gettext_lazy("Decline reason"), required=False)
    credit_amount = forms.DecimalField(
        label=gettext_lazy("Credit (10,000 CNY)"), required=False, decimal_places=2, min_value=0
    )
    loan_amount = forms.DecimalField(
        label=gettext_lazy("Loan (10,000 CNY)"), required=False, decimal_places=2, min_value=0
    )
    loan_date = forms.DateField(
        label=gettext_lazy("Loan date"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    rate = forms.DecimalField(
        label=gettext_lazy("Rate (%)"), required=False, decimal_places=2, min_value=0
    )
    credit_loan = forms.BooleanField(label=gettext_lazy("Credit loan"), required=False)
    first_time = forms.BooleanField(label=gettext_lazy("First-time borrower"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = _choices("decision", "—")
        self.fields["decline_reason"].choices = _choices("decline_reason")

    def row(self) -> dict | None:
        """The answer as a SCREENING-RESULT row, or None when no decision was chosen."""
        data = self.cleaned_data
        if not data.get("decision"):
            return None
        row = {k: v for k, v in data.items() if v not in (None, "") and k in RESULT_COLUMNS}
        granted = data["decision"] == Decision.GRANTED
        row["credit_loan"] = "Y" if data["credit_loan"] else ("N" if granted else None)
        row["first_time"] = "Y" if data["first_time"] else ("N" if granted else None)
        return row


ResultRowFormSet = forms.formset_factory(ResultRowForm, extra=0)


@login_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
                filing = screening.results_file(request.user, assignment, rows)
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
    page = _page(request, entries)
    for entry in page:
        entry.decline_label = screening.decline_reason_label(entry.decline_reason)
    contacts.mask_contacts(request.user, [entry.enterprise for entry in page])
    names = {e.credit_code: e.name for e in current}
    return render(
        request,
        "supervision/screening/assignment_detail.html",
        {
            "assignment": assignment,
            "page": page,
            "formset": formset,
            "rows": [(names.get(f.initial.get("credit_code"), ""), f) for f in formset or []],
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
    name = f"{screening.RESULT_SPEC.code}-{assignment.task.period}-{assignment.pk}.xlsx"
    return xlsx_response(screening.results_workbook(assignment), name)
