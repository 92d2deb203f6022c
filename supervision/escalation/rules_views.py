"""The escalation rules in force at an office, each with the office it comes from (its own,
one above it, or the national default); heads of the office or above set or drop its own."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MinValueValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from portal import scoping
from portal.models import Office, Role
from supervision.escalation import rules as escalation_rules
from supervision.escalation.models import CauseKind, EscalationRule


class RuleForm(forms.ModelForm):
    class Meta:
        model = EscalationRule
        fields = escalation_rules.RULE_FIELDS

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in escalation_rules.RULE_FIELDS:
            if name.endswith("_days"):
                self.fields[name].validators.append(MinValueValidator(1))
                self.fields[name].widget.attrs["min"] = 1


def _office(request: HttpRequest) -> Office:
    """The office asked for (by code) among those the user sees, else the user's own."""
    scope = scoping.scope_of(request.user)
    if not scope.is_regulator:
        raise Http404
    code = request.GET.get("office") or request.POST.get("office")
    if code:
        return scoping.get_visible_or_404(request.user, Office, code=code)
    return Office.objects.get(path=scope.offices[0][1])


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    office = _office(request)
    may_set = scoping.may_act(request.user, office, Role.HEAD)
    failed: tuple[str, RuleForm] | None = None
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied
        kind = request.POST.get("kind", "")
        try:
            if request.POST.get("action") == "reset":
                escalation_rules.rule_reset(request.user, office, kind)
                messages.success(request, _("The office's own rule was dropped."))
            else:
                form = RuleForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(form.errors.as_text())
                escalation_rules.rule_set(request.user, office, kind, form.cleaned_data)
                messages.success(request, _("Saved."))
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
            failed = (kind, RuleForm(request.POST))
        if failed is None:
            return redirect(f"{reverse('escalation-rules')}?{urlencode({'office': office.code})}")
    rows = []
    for kind, label in CauseKind.choices:
        rule = escalation_rules.rule_for(kind, office)
        own = rule is not None and rule.office_id == office.pk
        form = failed[1] if failed and failed[0] == kind else RuleForm(instance=rule)
        rows.append({"kind": kind, "label": label, "rule": rule, "own": own, "form": form})
    return render(
        request,
        "supervision/escalation/rules.html",
        {"office": office, "rows": rows, "may_set": may_set},
    )
