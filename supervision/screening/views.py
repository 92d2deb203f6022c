"""Pages of enterprise screening: the task list, a new task from an uploaded list, the task
page (roll-up by child office, the office's actions, its enterprises) and one enterprise's
history. An assignment's pages and the overdue list are ``assignment_views``.

Rows come through ``portal.scoping``; every change goes through ``supervision.screening``.
Lists are paginated and every figure is an aggregate, so pages stay fast for a task of
200,000 enterprises.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_htmx.http import HttpResponseClientRefresh

from portal import scoping
from portal.http import AuthenticatedHttpRequest
from portal.models import Office, Role
from supervision.screening import contacts, follow_up, rollup
from supervision.screening import deadlines as screening_deadlines
from supervision.screening import jobs as screening_jobs
from supervision.screening import results as screening_results
from supervision.screening import services as screening
from supervision.screening.forms import (
    AssignForm,
    AutoAssignForm,
    DelegateForm,
    EnterpriseFilterForm,
    TaskForm,
    codes,
)
from supervision.screening.models import (
    Assignment,
    AssignmentEntry,
    Delegation,
    ScreeningJob,
    ScreeningTask,
    TaskEnterprise,
)
from supervision.screening.visits.models import Visit

PAGE_SIZE = 50


def page_of(request: HttpRequest, qs: QuerySet, count: int | None = None):
    """A page of ``qs``; ``count``, when the caller knows it, spares counting the rows again."""
    paginator = Paginator(qs, PAGE_SIZE)
    if count is not None:
        paginator.count = count
    return paginator.get_page(request.GET.get("page"))


# -- task list and creation ----------------------------------------------------------------


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    scope = scoping.scope_of(request.user)
    tasks = scoping.visible(request.user, ScreeningTask).select_related("office")
    page = page_of(request, tasks.order_by("-created_at", "-pk"))
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
def task_create(request: AuthenticatedHttpRequest) -> HttpResponse:
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
    if action in (Kind.DELEGATE_BY_COUNTY, Kind.REASSIGN_DECLINED, Kind.PASS_DOWN):
        return action, {}
    if action == Kind.DELEGATE:
        delegate = DelegateForm(request.POST, children=list(Office.objects.get_children(at)))
        if not delegate.is_valid():
            raise ValidationError(_("Choose a child office."))
        counties = codes(delegate.cleaned_data["counties"])
        return action, {"child": delegate.cleaned_data["child"], "counties": counties}
    if action == Kind.AUTO_ASSIGN:
        auto = AutoAssignForm(request.POST)
        if not auto.is_valid():
            raise ValidationError(_("Choose a rule."))
        return action, {"rule": auto.cleaned_data["rule"]}
    if action == Kind.ASSIGN:
        assign = AssignForm(request.POST, office=at)
        if not assign.is_valid():
            raise ValidationError(_("Choose a bank or branch."))
        institution, branch = assign.chosen_filer()
        return action, {
            "institution": institution.pk,
            "branch": branch.pk if branch else None,
            "counties": codes(assign.cleaned_data["counties"]),
            "credit_codes": codes(assign.cleaned_data["credit_codes"]),
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
def task_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = scoping.get_visible_or_404(
        request.user, ScreeningTask.objects.select_related("office"), pk=pk
    )
    top = _top(request, task)
    at = _viewpoint(request, task, top)
    share = Delegation.objects.filter(task=task, office=at).first() if at else None
    can_act = (
        at is not None and share is not None and scoping.may_act(request.user, at, Role.REVIEWER)
    )
    if request.method == "POST":
        if not can_act:
            raise Http404
        assert at is not None, "one acts at an office (can_act)"
        return _submit_job(request, task, at)

    enterprises = scoping.visible(request.user, TaskEnterprise).filter(task=task)
    if at is not None:
        enterprises = rollup.enterprises_under(enterprises, at)
    figures = own_total = None
    if at is not None:
        # ``at`` is within the reader's offices (_top, _viewpoint): every enterprise under it
        # is visible, so the kept counts serve (a national task's roll-up without a scan).
        figures = rollup.kept(task, at)
        figures.declined_by_reason = [
            (screening_results.decline_reason_label(reason), n)
            for reason, n in figures.declined_by_reason
        ]
    else:
        own_total = rollup.Figures.of(None, enterprises.aggregate(**rollup.FIGURES))
    later = follow_up.granted_later(
        task, enterprises, scoping.visible(request.user, TaskEnterprise)
    )
    filters = EnterpriseFilterForm(request.GET)
    page = page_of(
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
        "granted_later": later,
        "page": page,
        "filters": filters,
        "assignments": assignments.order_by("institution__name_zh", "branch__name_zh", "pk")[:200],
        "today": timezone.localdate(),
    }
    if can_act:
        assert at is not None, "one acts at an office (can_act)"
        context.update(
            delegate_form=DelegateForm(children=list(Office.objects.get_children(at))),
            assign_form=AssignForm(office=at),
            auto_form=AutoAssignForm(),
            held=screening.held(task, at).count(),
        )
    return render(request, "supervision/screening/task_detail.html", context)


def _submit_job(request: AuthenticatedHttpRequest, task: ScreeningTask, at: Office) -> HttpResponse:
    """Runs the delegation or assignment the office posted, and says what it did."""
    try:
        kind, params = _posted_job(request, at)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        job = screening_jobs.submit(request.user, task, at, kind, params)
        failed = job.status == ScreeningJob.Status.FAILED
        (messages.error if failed else messages.success)(request, job_message(job))
    return redirect(f"{request.path}?office={at.code}")


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
    listed_all = (
        scoping.visible(request.user, TaskEnterprise)
        .filter(credit_code=code)
        .select_related("task__office", "holder", "assignment__institution", "assignment__branch")
        .order_by("-task__created_at")
    )
    entries_all = (
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
    listed, entries = list(listed_all[:100]), list(entries_all[:500])
    if not listed and not entries:
        raise Http404
    contacts.mask_contacts(request.user, listed)
    follow_up.link_later_grants(listed)
    for entry in entries:
        entry.decline_label = screening_results.decline_reason_label(entry.decline_reason)
    name = listed[0].name if listed else entries[0].enterprise.name
    visits = (
        scoping.visible(request.user, Visit)
        .filter(enterprise__credit_code=code)
        .select_related("enterprise__task", "assignment__institution", "assignment__branch")
        .order_by("-visited_at", "-pk")[:200]
    )
    return render(
        request,
        "supervision/screening/enterprise_history.html",
        {"code": code, "name": name, "listed": listed, "entries": entries, "visits": visits},
    )


@login_required
def enterprise_lookup(request: HttpRequest) -> HttpResponse:
    """The history page of the credit code typed in the search box."""
    code = request.GET.get("code", "").strip().upper()
    if not code:
        return redirect("screening-tasks")
    return redirect("screening-enterprise", credit_code=code)
