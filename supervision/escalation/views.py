"""Pages of escalation: the office's desk, a case with its actions, the institution's
rectification notices with the answer form, and the evidence files.

Rows come through ``portal.scoping``; every change goes through ``supervision.escalation``.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import panels, scoping
from portal.models import Role
from portal.stored_files import EVIDENCE_MAX_BYTES, check_evidence
from supervision.escalation import services as escalation
from supervision.escalation.models import (
    ActionKind,
    Case,
    CaseStatus,
    CauseKind,
    NoticeStatus,
    RectificationNotice,
    ResponseEvidence,
)

PAGE_SIZE = 50
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


# -- forms -------------------------------------------------------------------------------


class DeskFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Not closed")), *CaseStatus.choices, ("all", _("All"))],
    )
    kind = forms.ChoiceField(
        label=_("Cause"), required=False, choices=[("", _("Any")), *CauseKind.choices]
    )

    def filter(self, cases):
        if not self.is_valid():
            return cases.exclude(status=CaseStatus.CLOSED)
        status, kind = self.cleaned_data["status"], self.cleaned_data["kind"]
        if status == "":
            cases = cases.exclude(status=CaseStatus.CLOSED)
        elif status != "all":
            cases = cases.filter(status=status)
        if kind:
            cases = cases.filter(causes__kind=kind).distinct()
        return cases


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Action"), choices=ActionKind.choices)
    held_on = forms.DateField(label=_("Held on"), widget=DATE_INPUT)
    minutes = forms.CharField(
        label=_("Minutes or findings"), max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    principal_officer = forms.CharField(
        label=_("Principal officer present (a talk)"), max_length=100, required=False
    )


class NoticeForm(forms.Form):
    requirements = forms.CharField(
        label=_("What the institution must rectify"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    deadline = forms.DateField(label=_("Answer by"), widget=DATE_INPUT)


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("How the case was resolved"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Any number of files, each within ``EVIDENCE_MAX_BYTES``."""

    def __init__(self, **kwargs) -> None:
        super().__init__(widget=MultipleFileInput(), **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [super(EvidenceField, self).clean(item, initial) for item in files]
        check_evidence(cleaned)
        return cleaned


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("The remedy"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )
    evidence = EvidenceField(label=_("Evidence (files)"), required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept the remedy")), ("reject", _("Reject the remedy"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Comment (required to reject)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    deadline = forms.DateField(
        label=_("Answer again by (to reject; required once the deadline has come)"),
        required=False,
        widget=DATE_INPUT,
    )


# The case page's forms by the ``action`` they post, and the service each one calls.
CASE_STEPS = {
    "record": (
        ActionForm,
        lambda user, case, data: escalation.action_record(
            user, case, data["kind"], data["held_on"], data["minutes"], data["principal_officer"]
        ),
    ),
    "notice": (
        NoticeForm,
        lambda user, case, data: escalation.notice_issue(
            user, case, data["requirements"], data["deadline"]
        ),
    ),
    "close": (CloseForm, lambda user, case, data: escalation.case_close(user, case, data["note"])),
}

# What the confirmation panel says after each step of a case or of its notice.
DONE = {
    "acknowledge": _("You acknowledged the case. Act on it by its deadline."),
    "record": _("The action is recorded on the case."),
    "notice": _("The rectification notice is issued to the institution."),
    "close": _("The case is closed."),
    "answer": _("Your answer to the notice is sent to the office."),
    "decide": _("Your decision on the answer is recorded."),
}


# -- helpers -----------------------------------------------------------------------------


def _run(request: HttpRequest, service, *args) -> bool:
    """Call a service; a refusal becomes a message on the page instead of an error page."""
    try:
        service(*args)
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return False
    return True


# -- pages -------------------------------------------------------------------------------


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    if not scoping.scope_of(request.user).is_regulator:
        raise Http404
    filters = DeskFilterForm(request.GET)
    cases = (
        filters.filter(escalation.desk_cases(request.user))
        .select_related("institution", "branch", "office")
        .prefetch_related("causes")
        .order_by("deadline", "pk")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/escalation/desk.html",
        {"page": page, "filters": filters, "now": timezone.now()},
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = scoping.get_visible_or_404(
        request.user,
        Case.objects.select_related("institution", "branch", "office", "origin_office"),
        pk=pk,
    )
    can_act = scoping.may_act(request.user, case, escalation.ACTING_ROLE)
    forms_shown = {verb: form_class() for verb, (form_class, _step) in CASE_STEPS.items()}
    if request.method == "POST":
        if not can_act:
            raise PermissionDenied
        verb = request.POST.get("action", "")
        done = False
        if verb == "acknowledge":
            done = _run(request, escalation.case_acknowledge, request.user, case)
        elif verb in CASE_STEPS:
            form_class, step = CASE_STEPS[verb]
            form = forms_shown[verb] = form_class(request.POST)
            if form.is_valid():
                done = _run(request, step, request.user, case, form.cleaned_data)
        if done:
            panels.confirm(request, DONE[verb])
            return redirect(escalation.case_url(case))
    return render(
        request,
        "supervision/escalation/case.html",
        {
            "case": case,
            "causes": case.causes.all(),
            "requires_talk": case.causes.filter(requires_talk=True).exists(),
            "actions": case.actions.select_related("recorded_by"),
            "notices": case.notices.prefetch_related("responses__evidence"),
            "events": case.events.select_related("actor", "office", "to_office"),
            "can_act": can_act and not case.is_closed,
            "action_form": forms_shown["record"],
            "notice_form": forms_shown["notice"],
            "close_form": forms_shown["close"],
            "overdue": case.status == CaseStatus.OPEN and case.deadline < timezone.now(),
        },
    )


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    notices = (
        scoping.visible(request.user, RectificationNotice)
        .select_related("case__institution", "case__branch", "case__office")
        .order_by("-issued_at", "-pk")
    )
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/escalation/notice_list.html",
        {"page": page, "today": timezone.localdate()},
    )


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = scoping.get_visible_or_404(
        request.user,
        RectificationNotice.objects.select_related(
            "case__institution", "case__branch", "case__office", "issued_by"
        ),
        pk=pk,
    )
    open_case = not notice.case.is_closed
    can_answer = (
        open_case
        and notice.status == NoticeStatus.ISSUED
        and scoping.may_act(request.user, notice, Role.PREPARER)
    )
    can_decide = (
        open_case
        and notice.status == NoticeStatus.ANSWERED
        and scoping.may_act(request.user, notice.case, escalation.ACTING_ROLE)
    )
    answer_form, decision_form = AnswerForm(), DecisionForm()
    if request.method == "POST":
        verb = request.POST.get("action")
        done = False
        if verb == "answer" and can_answer:
            answer_form = AnswerForm(request.POST, request.FILES)
            if answer_form.is_valid():
                data = answer_form.cleaned_data
                done = _run(
                    request,
                    escalation.notice_answer,
                    request.user,
                    notice,
                    data["text"],
                    data["evidence"],
                )
        elif verb == "decide" and can_decide:
            decision_form = DecisionForm(request.POST)
            if decision_form.is_valid():
                data = decision_form.cleaned_data
                done = _run(
                    request,
                    escalation.notice_decide,
                    request.user,
                    notice,
                    data["decision"] == "accept",
                    data["note"],
                    data["deadline"],
                )
        else:
            raise PermissionDenied
        if done:
            panels.confirm(request, DONE[verb])
            return redirect(escalation.notice_url(notice))
    return render(
        request,
        "supervision/escalation/notice.html",
        {
            "notice": notice,
            "responses": notice.responses.select_related(
                "responded_by", "decided_by"
            ).prefetch_related("evidence"),
            "can_answer": can_answer,
            "can_decide": can_decide,
            "can_see_case": scoping.may_see(request.user, notice.case),
            "answer_form": answer_form,
            "decision_form": decision_form,
            "overdue": notice.status == NoticeStatus.ISSUED
            and notice.deadline < timezone.localdate(),
            "max_size": EVIDENCE_MAX_BYTES,
        },
    )


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    evidence = scoping.get_visible_or_404(request.user, ResponseEvidence, pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name)
