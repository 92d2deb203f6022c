"""Pages of the evaluation: the ranking of the user's subtree (a bank sees its own
evaluations), one institution's scorecard with its trend, their workbooks, and scoring a
period on demand."""

from collections.abc import Callable
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal import panels, scoping
from portal.http import AuthenticatedHttpRequest
from portal.models import InstitutionKind, Office, Role
from reporting.periods import is_quarter, quarter_label
from reporting.workbooks import xlsx_response
from supervision.evaluation import consequences, cycle, inputs, rectification, scorecards, services
from supervision.evaluation import scheme as schemes
from supervision.evaluation.groups import Figure, Group, groups_of
from supervision.evaluation.models import (
    AreaArrangement,
    Arrangement,
    Evaluation,
    EvaluationStatus,
    Evidence,
    GroupRule,
    QualitativeScore,
    ScoreRecord,
    ScoringRun,
    TargetGroup,
)
from supervision.evaluation.publication import publication_workbook
from supervision.evaluation.rectification_models import SupervisoryTalk
from supervision.evaluation.scoring import result_from_dict
from supervision.evaluation.selectors import early_warnings, results_hidden, results_shown

if TYPE_CHECKING:  # the stubs' name for a lazy translation; not installed in production
    from django_stubs_ext import StrPromise

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


def _reader_or_404(user) -> None:
    scope = scoping.scope_of(user)
    if not (scope.is_regulator or scope.is_bank):
        raise Http404


def _evaluations_for(user) -> QuerySet:
    _reader_or_404(user)
    return scoping.visible(user, Evaluation).select_related("institution__office")


def _period_of(filters: RankingFilters, evaluations: QuerySet) -> str | None:
    chosen = filters.cleaned_data.get("period") if filters.is_valid() else None
    if chosen:
        return chosen.strip().upper()
    return evaluations.order_by("-period").values_list("period", flat=True).first()


def ranking_queryset(user, filters: RankingFilters) -> tuple[QuerySet, str | None]:
    """The evaluations whose results ``user`` may read, for the chosen (or latest) period, best
    first. A bank is ranked against nobody: it sees its own results once notified."""
    _reader_or_404(user)
    evaluations = results_shown(user, Evaluation.objects.select_related("institution__office"))
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
    on_page = Evaluation.objects.filter(pk__in=[e.pk for e in page])
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
            "results_shown": set(results_shown(request.user, on_page).values_list("pk", flat=True)),
            "can_score": _reviewer_office(request.user) is not None,
            "runs": scoping.visible(request.user, ScoringRun).select_related("office")[:5],
            "areas": scoping.visible(request.user, AreaArrangement)
            .filter(year=int(period[:4]) if period else 0)
            .select_related("office"),
            "may_arrange_areas": scoping.actionable(request.user, Office, Role.HEAD).exists(),
            "groups": _visible_groups(request.user, period),
            "group_rules": GroupRule.choices,
        },
    )


def _group_figures(version: str, year: int, groups: list[Group]) -> list[Figure]:
    """The groups' figures for the year under scheme ``version``, as scoring computes them."""
    scheme = schemes.load(version)
    if scheme.group is None or not groups:
        return []
    return inputs.group_figures(scheme, quarter_label(year, 4), groups)


def _visible_groups(user, period: str | None) -> list[Figure]:
    if not period:
        return []
    year = int(period[:4])
    shown = set(scoping.visible(user, TargetGroup).filter(year=year).values_list("pk", flat=True))
    groups = [g for g in groups_of(year) if g.pk in shown]
    return _group_figures(schemes.for_period(quarter_label(year, 4)).version, year, groups)


@login_required
def ranking_export(request: HttpRequest) -> HttpResponse:
    evaluations, period = ranking_queryset(request.user, RankingFilters(request.GET))
    return xlsx_response(
        scorecards.ranking_workbook(evaluations.iterator(chunk_size=2000)),
        f"evaluation-ranking-{period or 'none'}.xlsx",
    )


def _scorecard_or_404(user, pk: int) -> tuple[Evaluation, bool]:
    """The evaluation, and whether its scores are hidden from ``user`` (``results_hidden``)."""
    evaluation = scoping.get_visible_or_404(
        user, Evaluation.objects.select_related("institution__office"), pk=pk
    )
    return evaluation, results_hidden(user, evaluation)


def _trend_of(user, evaluation: Evaluation) -> scorecards.Trend:
    others = results_shown(user, Evaluation.objects.filter(institution=evaluation.institution))
    latest = list(others.filter(period__lte=evaluation.period).order_by("-period")[:TREND_PERIODS])
    return scorecards.trend(schemes.load(evaluation.scheme_version), reversed(latest))


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
    user = request.user
    status = evaluation.status
    context = {
        "evaluation": evaluation,
        "scheme": scheme,
        # The reviewer's points and reasons are the supervising offices' to read: a user who
        # is also a regulator elsewhere does not read them on their own bank's scorecard.
        "supervises": scoping.may_act(user, evaluation, Role.VIEWER),
        "scores_hidden": hidden,
        "items": _items(user, evaluation, scheme),
        "may": {
            "self_assess": status == EvaluationStatus.SELF_ASSESSMENT
            and scoping.may_act(user, evaluation, Role.PREPARER),
            "submit": status == EvaluationStatus.SELF_ASSESSMENT
            and scoping.may_act(user, evaluation, Role.APPROVER),
            "start_review": status == EvaluationStatus.SELF_ASSESSMENT
            and scoping.may_act(user, evaluation, Role.REVIEWER),
            "review": status == EvaluationStatus.REVIEW
            and scoping.may_act(user, evaluation, Role.REVIEWER),
            "confirm": status == EvaluationStatus.REVIEW
            and scoping.may_act(user, evaluation, Role.HEAD),
            "notify": status == EvaluationStatus.CONFIRMED
            and scoping.may_act(user, evaluation, Role.REVIEWER),
            "archive": status == EvaluationStatus.NOTIFIED
            and scoping.may_act(user, evaluation, Role.REVIEWER),
            "reopen": evaluation.is_frozen and scoping.may_act(user, evaluation, Role.HEAD),
            "arrange": not evaluation.is_frozen
            and scoping.may_act(user, evaluation, Role.REVIEWER),
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
            "gaps": consequences.gaps(scheme, result),
            "groups": _group_figures(
                evaluation.scheme_version,
                int(evaluation.period[:4]),
                groups_of(int(evaluation.period[:4]), {evaluation.institution_id}),
            ),
            "consequences": [consequences.MEASURES[m] for m in consequences.measures(evaluation)],
            "deadline_days": scheme.consequence(evaluation.grade).deadline_days,
            "talks": scoping.visible(user, SupervisoryTalk).filter(evaluation=evaluation),
            "asks_for_plan": rectification.calls_for_plan(evaluation),
        }
    if context["supervises"]:
        context["history"] = scoping.visible(user, ScoreRecord).filter(evaluation=evaluation)[:20]
        context["warnings"] = early_warnings(user, evaluation)
    return render(request, "supervision/evaluation/scorecard.html", context)


def _each_item(request: HttpRequest, evaluation: Evaluation, service) -> None:
    """Apply ``service`` to every qualitative item given points in the form, all or none."""
    scheme = schemes.load(evaluation.scheme_version)
    given = [
        (item.code, request.POST[f"points_{item.code}"], request.POST.get(f"note_{item.code}", ""))
        for item in scheme.qualitative_items(evaluation.institution.kind)
        if request.POST.get(f"points_{item.code}", "").strip()
    ]
    if not given:
        raise ValidationError(_("Give points for at least one item."))
    service(request.user, evaluation, given)


def _attach_evidence(request: HttpRequest, evaluation: Evaluation) -> None:
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError(_("Choose a file to attach."))
    cycle.attach_evidence(request.user, evaluation, request.POST.get("code", ""), upload)


# The steps of the cycle a form may name (its ``verb``): the service it calls with what the
# form gives, and the message shown once it is done.
Step = Callable[[HttpRequest, Evaluation], object]  # what a service returns is unused

VERBS: "dict[str, tuple[Step, StrPromise]]" = {
    "self_assess": (
        lambda r, e: _each_item(r, e, cycle.self_assess_items),
        gettext_lazy("Your points are saved."),
    ),
    "evidence": (_attach_evidence, gettext_lazy("The document is attached.")),
    "submit": (
        lambda r, e: cycle.submit_self_assessment(r.user, e),
        gettext_lazy("The self-assessment is submitted to your supervising office."),
    ),
    "start_review": (
        lambda r, e: cycle.start_review(r.user, e),
        gettext_lazy("The self-assessment is closed; the review has begun."),
    ),
    "review": (
        lambda r, e: _each_item(r, e, cycle.review_items),
        gettext_lazy("The reviewer's points are saved and the result scored again."),
    ),
    "adjust": (
        lambda r, e: cycle.adjust(
            r.user, e, r.POST.get("code", ""), r.POST.get("points", ""), r.POST.get("reason", "")
        ),
        gettext_lazy("The adjustment is saved and the result scored again."),
    ),
    "confirm": (
        lambda r, e: cycle.confirm(r.user, e),
        gettext_lazy("The result is confirmed."),
    ),
    "notify": (
        lambda r, e: cycle.notify_bank(r.user, e),
        gettext_lazy("The bank is notified of its result."),
    ),
    "archive": (
        lambda r, e: cycle.archive(r.user, e),
        gettext_lazy("The result is archived."),
    ),
    "reopen": (
        lambda r, e: cycle.reopen(r.user, e, r.POST.get("reason", "")),
        gettext_lazy("The result is reopened for review."),
    ),
    "arrangement": (
        lambda r, e: cycle.set_arrangement(
            r.user,
            e,
            r.POST.get("differentiated") == "on",
            r.POST.get("reason", ""),
            r.POST.get("growth_target", ""),
        ),
        gettext_lazy("The arrangement is saved and the result scored again."),
    ),
}


@login_required
@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    """One step of the cycle on one evaluation, named by the form's ``verb``."""
    evaluation = scoping.get_visible_or_404(
        request.user, Evaluation.objects.select_related("institution"), pk=pk
    )
    if not run_step(request, evaluation, VERBS, confirm=panels.confirm):
        return HttpResponseBadRequest(_("Unknown action."))
    return redirect("evaluation-detail", pk=evaluation.pk)


def run_step(
    request: HttpRequest,
    evaluation: Evaluation,
    verbs: "dict[str, tuple[Step, StrPromise]]",
    *,
    confirm: "Callable[[HttpRequest, StrPromise], None]",
) -> bool:
    """Run the step the form's ``verb`` names; a step the rules refuse shows why, a done one
    is confirmed. False when the form names no known step."""
    verb = request.POST.get("verb", "")
    if verb not in verbs:
        return False
    step, done = verbs[verb]
    try:
        step(request, evaluation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        confirm(request, done)
    return True


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
def publication_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The notified result as the bank publishes it; nothing before notification."""
    evaluation, hidden = _scorecard_or_404(request.user, pk)
    if hidden or not evaluation.shown_to_bank or not evaluation.result:
        raise Http404
    name = f"evaluation-{evaluation.institution.credit_code}-{evaluation.period}.xlsx"
    return xlsx_response(publication_workbook(evaluation), name)


@login_required
@require_POST
def score_period(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Queue scoring of every institution under the user's office for a period."""
    office = _reviewer_office(request.user)
    if office is None:
        raise PermissionDenied
    period = request.POST.get("period", "").strip().upper()
    if not (is_quarter(period) or (period.isdigit() and len(period) == 4)):
        messages.error(
            request,
            _("Give a year (2025: the evaluation) or a quarter (2025Q3: monitoring only)."),
        )
        return redirect("evaluation-ranking")
    services.request_scoring(request.user, office, period)
    messages.success(
        request,
        _("Scoring of %(period)s for %(office)s is queued; results appear as it finishes.")
        % {"period": period, "office": office.name},
    )
    return redirect(reverse("evaluation-ranking") + "?" + urlencode({"period": period}))
