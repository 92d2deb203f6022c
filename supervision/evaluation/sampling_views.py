"""Pages of data sampling: an office's samples and the draw form, one sample's rows with what
checking found, and for a bank the rows drawn from its own filings."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal import scoping
from portal.models import Office, Role
from reporting.documentation import lang_of
from reporting.specs import get_spec
from supervision.evaluation import sampling
from supervision.evaluation.models import DataSample, SampledRow, SampleFinding


class DrawForm(forms.Form):
    office = forms.ModelChoiceField(label=gettext_lazy("Office"), queryset=Office.objects.none())
    period = forms.CharField(label=gettext_lazy("Period"), max_length=20)
    per_institution = forms.IntegerField(
        label=gettext_lazy("Rows per institution"),
        min_value=1,
        max_value=sampling.MAX_PER_INSTITUTION,
        initial=3,
    )
    seed = forms.IntegerField(
        label=gettext_lazy("Seed (blank: a new one)"), required=False, min_value=0, max_value=2**31
    )

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.offices = scoping.actionable(user, Office, Role.REVIEWER)  # where one may draw
        office = self.fields["office"]
        assert isinstance(office, forms.ModelChoiceField), "declared above"
        office.queryset = self.offices


class FindingForm(forms.Form):
    finding = forms.ChoiceField(
        label=gettext_lazy("Finding"),
        choices=[c for c in SampleFinding.choices if c[0] != SampleFinding.PENDING],
    )
    note = forms.CharField(label=gettext_lazy("Evidence"), required=False, widget=forms.Textarea)
    file = forms.FileField(label=gettext_lazy("Document"), required=False)


def _cells(row: SampledRow, lang: str) -> list[tuple[str, object]]:
    spec = get_spec(row.filing.spec_code, row.filing.spec_version)
    values = row.filing_row.values(spec)
    return [
        (column.label_en if lang == "en" else column.label_zh, values[column.key])
        for column in spec.columns
    ]


@login_required
def sample_list(request: HttpRequest) -> HttpResponse:
    scope = scoping.scope_of(request.user)
    if not (scope.is_regulator or scope.is_bank):
        raise Http404
    form = DrawForm(request.user, request.POST or None)
    if request.method == "POST":
        if not form.offices.exists():
            raise PermissionDenied
        if form.is_valid():
            try:
                sample = sampling.draw(
                    request.user,
                    form.cleaned_data["office"],
                    form.cleaned_data["period"],
                    form.cleaned_data["per_institution"],
                    seed=form.cleaned_data["seed"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The sample is drawn."))
                return redirect("sample-detail", pk=sample.pk)
    lang = lang_of(request.LANGUAGE_CODE)
    rows = []
    if scope.is_bank:
        rows = [
            (row, _cells(row, lang))
            for row in scoping.visible(request.user, SampledRow).select_related(
                "sample", "filing", "filing_row", "institution", "branch"
            )[:500]
        ]
    return render(
        request,
        "supervision/evaluation/sample_list.html",
        {
            "samples": scoping.visible(request.user, DataSample).select_related("office")[:100],
            "form": form,
            "can_draw": form.offices.exists(),
            "bank_rows": rows,
            "is_regulator": scope.is_regulator,
        },
    )


@login_required
def sample_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sample = scoping.get_visible_or_404(request.user, DataSample, pk=pk)
    lang = lang_of(request.LANGUAGE_CODE)
    rows = scoping.visible(request.user, SampledRow).filter(sample=sample)
    can_check = (
        scoping.actionable(request.user, SampledRow, Role.REVIEWER).filter(sample=sample).exists()
    )
    return render(
        request,
        "supervision/evaluation/sample_detail.html",
        {
            "sample": sample,
            "rows": [
                (row, _cells(row, lang))
                for row in rows.select_related("filing", "filing_row", "institution", "branch")
            ],
            "can_check": can_check,
            "finding_form": FindingForm(),
        },
    )


@login_required
@require_POST
def sample_row_act(request: HttpRequest, pk: int) -> HttpResponse:
    row = scoping.get_visible_or_404(request.user, SampledRow, pk=pk)
    form = FindingForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose what the check found."))
    else:
        try:
            sampling.record(
                request.user,
                row,
                form.cleaned_data["finding"],
                form.cleaned_data["note"],
                form.cleaned_data["file"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The finding is recorded."))
    return redirect("sample-detail", pk=row.sample_id)


@login_required
def sample_row_evidence(request: HttpRequest, pk: int) -> FileResponse:
    row = scoping.get_visible_or_404(request.user, SampledRow, pk=pk)
    if not row.evidence:
        raise Http404
    return FileResponse(row.evidence.open("rb"), as_attachment=True, filename=row.evidence_name)
