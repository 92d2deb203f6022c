"""The rectification plan's page: the bank files it from its gap list and reports each item done
with evidence; the office closes each item or sends it back; the evidence files."""

from datetime import date
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal import scoping
from portal.models import Role
from supervision.evaluation import rectification
from supervision.evaluation.models import Evaluation
from supervision.evaluation.rectification import PlannedItem
from supervision.evaluation.rectification_models import (
    ItemStatus,
    PlanEvidence,
    PlanItem,
    RectificationPlan,
    SupervisoryTalk,
)
from supervision.evaluation.selectors import results_hidden
from supervision.evaluation.views import Step, run_step

if TYPE_CHECKING:  # the stubs' name for a lazy translation; not installed in production
    from django_stubs_ext import StrPromise


def _evaluation_or_404(user, pk: int) -> Evaluation:
    """A result whose grade asks for a plan, once its scores are the user's to read."""
    evaluation = scoping.get_visible_or_404(
        user, Evaluation.objects.select_related("institution__office"), pk=pk
    )
    if results_hidden(user, evaluation) or not rectification.calls_for_plan(evaluation):
        raise Http404
    return evaluation


@login_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation_or_404(request.user, pk)
    user = request.user
    filed = scoping.visible(user, RectificationPlan).filter(evaluation=evaluation).first()
    items = (
        scoping.visible(user, PlanItem).filter(plan=filed).prefetch_related("evidence")
        if filed
        else []
    )
    return render(
        request,
        "supervision/evaluation/plan.html",
        {
            "evaluation": evaluation,
            "plan": filed,
            "items": items,
            "gaps": rectification.plan_gaps(evaluation),
            "talks": scoping.visible(user, SupervisoryTalk).filter(evaluation=evaluation),
            "latest_deadline": rectification.latest_deadline(evaluation),
            "today": timezone.localdate(),
            "may_file": filed is None
            and evaluation.shown_to_bank
            and scoping.may_act(user, evaluation, Role.PREPARER),
            "may_report": filed is not None and scoping.may_act(user, evaluation, Role.PREPARER),
            "may_decide": filed is not None and scoping.may_act(user, evaluation, Role.REVIEWER),
            "reported": ItemStatus.REPORTED,
            "open": ItemStatus.OPEN,
        },
    )


def _date(text: str, code: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationError(_("%(code)s: give the deadline as a date.") % {"code": code}) from exc


def _file(request: HttpRequest, evaluation: Evaluation) -> None:
    planned = [
        PlannedItem(
            gap.code,
            request.POST.get(f"action_{gap.code}", ""),
            _date(request.POST.get(f"deadline_{gap.code}", ""), gap.code),
        )
        for gap in rectification.plan_gaps(evaluation)
    ]
    rectification.plan_file(request.user, evaluation, planned)


def _item(request: HttpRequest, evaluation: Evaluation) -> PlanItem:
    given = request.POST.get("item", "")
    items = scoping.visible(request.user, PlanItem).filter(plan__evaluation=evaluation)
    found = items.filter(pk=int(given)).first() if given.isdigit() else None
    if found is None:
        raise ValidationError(_("Choose an item of the plan."))
    return found


def _report(request: HttpRequest, evaluation: Evaluation) -> None:
    rectification.item_report(
        request.user,
        _item(request, evaluation),
        request.POST.get("report", ""),
        request.FILES.getlist("evidence"),
    )


def _decide(request: HttpRequest, evaluation: Evaluation) -> None:
    rectification.item_decide(
        request.user,
        _item(request, evaluation),
        request.POST.get("decision") == "close",
        request.POST.get("note", ""),
    )


# The page's forms by their ``verb``: the step each calls and what is said once it is done.
VERBS: "dict[str, tuple[Step, StrPromise]]" = {
    "file": (
        _file,
        gettext_lazy("The rectification plan is filed with your supervising office."),
    ),
    "report": (_report, gettext_lazy("The item is reported done; the office will decide on it.")),
    "decide": (_decide, gettext_lazy("Your decision is recorded and the bank is told.")),
}


@login_required
@require_POST
def plan_act(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation_or_404(request.user, pk)
    if not run_step(request, evaluation, VERBS, confirm=messages.success):
        return HttpResponseBadRequest(_("Unknown action."))
    return redirect("evaluation-plan", pk=evaluation.pk)


@login_required
def plan_evidence(request: HttpRequest, pk: int) -> FileResponse:
    document = scoping.get_visible_or_404(request.user, PlanEvidence, pk=pk)
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.original_name
    )
