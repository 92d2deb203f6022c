"""Pages of the evaluation: the ranking of the user's subtree (a bank sees its own
evaluations), one institution's scorecard with its trend, their workbooks, and scoring a
period on demand."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal import audit, scoping
from portal.models import InstitutionKind, Office, Role
from reporting.periods import is_quarter
from reporting.workbooks import xlsx_response
from supervision.evaluation import cycle, scorecards
from supervision.evaluation import scheme as schemes
from supervision.evaluation.models import (
    Arrangement,
    Evaluation,
    EvaluationStatus,
    Evidence,
    QualitativeScore,
    ScoreRecord,
    ScoringRun,
)
from supervision.evaluation.scoring import result_from_dict

PAGE_SIZE = 50
TREND_PERIODS = 8


class RankingFilters(forms.Form):
    period = forms.CharField(label=gettext_lazy("Period"), required=False, max_length=20)
    kind = forms.ChoiceField(
        label=gettext_lazy("Institution type"),
        required=False,
        choices=[("", gettext_lazy("All types")), *InstitutionKind.choices],
    )
    grade = forms.ChoiceField(
        label=gettext_lazy("Grade"),
        required=False,
        choices=[("", gettext_lazy("All grades"))] + [(str(g), str(g)) for g in (1, 2, 3, 4)],
    )
    region = forms.RegexField(
        label=gettext_lazy("Office code"), required=False, regex=r"^\d{1,6}$", max_length=6
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *EvaluationStatus.choices],
    )

    def filter(self, evaluations: QuerySet) -> QuerySet:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("kind"):
            evaluations = evaluations.filter(institution__kind=data["kind"])
        if data.get("grade"):
            evaluations = evaluations.filter(grade=int(data["grade"]))
        if data.get("region"):
            evaluations = evaluations.filter(institution__office__code__startswith=data["region"])
        if data.get("status"):
            evaluations = evaluations.filter(status=data["status"])
        return evaluations

    def params(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {k: v for k, v in data.items() if v}


def _evaluations_for(user) -> QuerySet:
    scope = scoping.scope_of(user)
    if not (scope.is_regulator or scope.is_bank):
        raise Http404
    return scoping.visible(user, Evaluation).select_related("institution__office")


def _period_of(filters: RankingFilters, evaluations: QuerySet) -> str | None:
    chosen = filters.cleaned_data.get("period") if filters.is_valid() else None
    if chosen:
        return chosen.strip().upper()
    return evaluations.order_by("-period").values_list("period", flat=True).first()


def ranking_queryset(user, filters: RankingFilters) -> tuple[QuerySet, str | None]:
    """The evaluations ``user`` may see for the chosen (or latest) period, best first."""
    evaluations = _evaluations_for(user)
    if scoping.scope_of(user).is_bank and not scoping.scope_of(user).is_regulator:
        # A bank is ranked against nobody: it sees its own results once notified.
        evaluations = evaluations.filter(status__in=EvaluationStatus.shown_to_bank())
    period = _period_of(filters, evaluations)
    ranked = filters.filter(evaluations.filter(period=period)).order_by(
        F("total").desc(nulls_last=True), "institution__name_zh", "pk"
    )
    return ranked, period


def _reviewer_office(user) -> Office | None:
    """The highest office where ``user`` may score: a reviewer or head there."""
    paths = [
        path
        for role, path in scoping.scope_of(user).offices
        if role in Role.at_least(Role.REVIEWER)
    ]
    if not paths:
        return None
    return Office.objects.get(path=min(paths, key=len))


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    filters = RankingFilters(request.GET)
    scope = scoping.scope_of(request.user)
    if scope.is_regulator:
        evaluations, period = ranking_queryset(request.user, filters)
    else:
        # A bank's own evaluations of every period: where the self-assessment is done, and
        # where the results appear (with total and grade) once notified.
        evaluations, period = _evaluations_for(request.user).order_by("-period"), None
    page = Paginator(evaluations, PAGE_SIZE).get_page(request.GET.get("page"))
    params = filters.params() | ({"period": period} if period else {})
    return render(
        request,
        "supervision/evaluation/ranking.html",
        {
            "page": page,
            "filters": filters,
            "period": period,
            "export_query": urlencode(params),
            "is_regulator": scope.is_regulator,
            "can_score": _reviewer_office(request.user) is not None,
            "runs": scoping.visible(request.user, ScoringRun).select_related("office")[:5],
        },
    )


@login_required
def ranking_export(request: HttpRequest) -> HttpResponse:
    evaluations, period = ranking_queryset(request.user, RankingFilters(request.GET))
    return xlsx_response(
        scorecards.ranking_workbook(evaluations.iterator(chunk_size=2000)),
        f"evaluation-ranking-{period or 'none'}.xlsx",
    )


def _scorecard_or_404(user, pk: int) -> tuple[Evaluation, bool]:
    """The evaluation, and whether its scores are hidden from ``user``: a bank sees them once
    notified (before that, its page is the self-assessment)."""
    evaluation = scoping.get_visible_or_404(
        user, Evaluation.objects.select_related("institution__office"), pk=pk
    )
    hidden = not scoping.scope_of(user).is_regulator and not evaluation.shown_to_bank
    return evaluation, hidden


def _trend_of(user, evaluation: Evaluation) -> scorecards.Trend:
    others = scoping.visible(user, Evaluation).filter(institution=evaluation.institution)
    if not scoping.scope_of(user).is_regulator:
        others = others.filter(status__in=EvaluationStatus.shown_to_bank())
    latest = list(others.filter(period__lte=evaluation.period).order_by("-period")[:TREND_PERIODS])
    return scorecards.trend(schemes.load(evaluation.scheme_version), reversed(latest))


def _can(user, evaluation: Evaluation, role: str) -> bool:
    return scoping.actionable(user, Evaluation, role).filter(pk=evaluation.pk).exists()


def _items(user, evaluation: Evaluation, scheme: schemes.Scheme) -> list[dict]:
    """The qualitative items with the bank's and the reviewer's points and the evidence."""
    entries = {
        q.code: q for q in scoping.visible(user, QualitativeScore).filter(evaluation=evaluation)
    }
    evidence: dict[str, list] = {}
    for document in scoping.visible(user, Evidence).filter(evaluation=evaluation):
        evidence.setdefault(document.code, []).append(document)
    return [
        {
            "indicator": item,
            "entry": entries.get(item.code),
            "evidence": evidence.get(item.code, []),
        }
        for item in scheme.qualitative_items(evaluation.institution.kind)
    ]


@login_required
def scorecard(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation, hidden = _scorecard_or_404(request.user, pk)
    scheme = schemes.load(evaluation.scheme_version)
    scope = scoping.scope_of(request.user)
    user = request.user
    status = evaluation.status
    context = {
        "evaluation": evaluation,
        "scheme": scheme,
        "is_regulator": scope.is_regulator,
        "scores_hidden": hidden,
        "items": _items(user, evaluation, scheme),
        "may": {
            "self_assess": status == EvaluationStatus.SELF_ASSESSMENT
            and _can(user, evaluation, Role.PREPARER),
            "submit": status == EvaluationStatus.SELF_ASSESSMENT
            and _can(user, evaluation, Role.APPROVER),
            "start_review": status == EvaluationStatus.SELF_ASSESSMENT
            and _can(user, evaluation, Role.REVIEWER),
            "review": status == EvaluationStatus.REVIEW and _can(user, evaluation, Role.REVIEWER),
            "confirm": status == EvaluationStatus.REVIEW and _can(user, evaluation, Role.HEAD),
            "notify": status == EvaluationStatus.CONFIRMED
            and _can(user, evaluation, Role.REVIEWER),
            "archive": status == EvaluationStatus.NOTIFIED
            and _can(user, evaluation, Role.REVIEWER),
            "reopen": evaluation.is_frozen and _can(user, evaluation, Role.HEAD),
            "arrange": not evaluation.is_frozen and _can(user, evaluation, Role.REVIEWER),
        },
        "arrangement": Arrangement.objects.filter(
            institution_id=evaluation.institution_id, year=int(evaluation.period[:4])
        ).first(),
        "measured": [
            i for i in scheme.applicable(evaluation.institution.kind) if not i.qualitative
        ],
    }
    if not hidden and evaluation.result:
        result = result_from_dict(evaluation.result)
        context |= {
            "result": result,
            "rows": scorecards.rows(scheme, result),
            "trend": _trend_of(user, evaluation),
        }
    if scope.is_regulator:
        context["history"] = scoping.visible(user, ScoreRecord).filter(evaluation=evaluation)[:20]
    return render(request, "supervision/evaluation/scorecard.html", context)


DONE = {
    "self_assess": gettext_lazy("Your points are saved."),
    "evidence": gettext_lazy("The document is attached."),
    "submit": gettext_lazy("The self-assessment is submitted to your supervising office."),
    "start_review": gettext_lazy("The self-assessment is closed; the review has begun."),
    "review": gettext_lazy("The reviewer's points are saved and the result scored again."),
    "adjust": gettext_lazy("The adjustment is saved and the result scored again."),
    "confirm": gettext_lazy("The result is confirmed."),
    "notify": gettext_lazy("The bank is notified of its result."),
    "archive": gettext_lazy("The result is archived."),
    "reopen": gettext_lazy("The result is reopened for review."),
    "arrangement": gettext_lazy("The arrangement is saved and the result scored again."),
}


def _each_item(request: HttpRequest, evaluation: Evaluation, service) -> None:
    """Apply ``service`` to every qualitative item given points in the form, all or none."""
    scheme = schemes.load(evaluation.scheme_version)
    given = [
        (item.code, request.POST[f"points_{item.code}"])
        for item in scheme.qualitative_items(evaluation.institution.kind)
        if request.POST.get(f"points_{item.code}", "").strip()
    ]
    if not given:
        raise ValidationError(_("Give points for at least one item."))
    with transaction.atomic():
        for code, points in given:
            service(request.user, evaluation, code, points, request.POST.get(f"note_{code}", ""))


@login_required
@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    """One step of the cycle on one evaluation, named by the form's ``verb``."""
    evaluation = scoping.get_visible_or_404(
        request.user, Evaluation.objects.select_related("institution"), pk=pk
    )
    verb = request.POST.get("verb", "")
    if verb not in DONE:
        return HttpResponseBadRequest(_("Unknown action."))
    post, user = request.POST, request.user
    try:
        match verb:
            case "self_assess":
                _each_item(request, evaluation, cycle.self_assess)
            case "evidence":
                if "file" not in request.FILES:
                    raise ValidationError(_("Choose a file to attach."))
                cycle.attach_evidence(user, evaluation, post.get("code", ""), request.FILES["file"])
            case "submit":
                cycle.submit_self_assessment(user, evaluation)
            case "start_review":
                cycle.start_review(user, evaluation)
            case "review":
                _each_item(request, evaluation, cycle.review_item)
            case "adjust":
                cycle.adjust(
                    user,
                    evaluation,
                    post.get("code", ""),
                    post.get("points", ""),
                    post.get("reason", ""),
                )
            case "confirm":
                cycle.confirm(user, evaluation)
            case "notify":
                cycle.notify_bank(user, evaluation)
            case "archive":
                cycle.archive(user, evaluation)
            case "reopen":
                cycle.reopen(user, evaluation, post.get("reason", ""))
            case "arrangement":
                cycle.set_arrangement(
                    user,
                    evaluation,
                    post.get("credit_plan", ""),
                    post.get("differentiated") == "on",
                    post.get("reason", ""),
                )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, DONE[verb])
    return redirect("evaluation-detail", pk=evaluation.pk)


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    document = scoping.get_visible_or_404(request.user, Evidence, pk=pk)
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.original_name
    )


@login_required
def scorecard_export(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation, hidden = _scorecard_or_404(request.user, pk)
    if hidden or not evaluation.result:
        raise Http404
    name = f"scorecard-{evaluation.institution.credit_code}-{evaluation.period}.xlsx"
    return xlsx_response(scorecards.scorecard_workbook(evaluation), name)


@login_required
@require_POST
def score_period(request: HttpRequest) -> HttpResponse:
    """Queue scoring of every institution under the user's office for a period."""
    office = _reviewer_office(request.user)
    if office is None:
        raise PermissionDenied
    period = request.POST.get("period", "").strip().upper()
    if not is_quarter(period):
        messages.error(request, _("Give the period as a quarter, e.g. 2025Q3."))
        return redirect("evaluation-ranking")
    from supervision.evaluation.tasks import run_scoring

    with transaction.atomic():
        job = ScoringRun.objects.create(office=office, period=period, requested_by=request.user)
        audit.record(request.user, "evaluation.period_scoring", office, {"period": period})
        run_scoring.delay_on_commit(job.pk)
    messages.success(
        request,
        _("Scoring of %(period)s for %(office)s is queued; results appear as it finishes.")
        % {"period": period, "office": office.name},
    )
    return redirect(reverse("evaluation-ranking") + "?" + urlencode({"period": period}))
