"""Forms of the complaint pages. They read and check what people typed; the changes are the
service functions' (``supervision.complaints``), which the views call with the cleaned data."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from portal.division_names import english_names
from portal.divisions import own_name
from portal.identifiers import check_credit_code
from portal.models import Branch, Division
from supervision.complaints.files import check_uploads
from supervision.complaints.guard import check_challenge, new_challenge
from supervision.complaints.models import (
    Category,
    Complexity,
    LinkKind,
    Outcome,
    ReferralBody,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(d, initial) for d in data if d]
        else:
            files = [single(data, initial)] if data else []
        try:
            check_uploads(files)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        return files


def county_divisions():
    """County-level divisions (the last pair of digits is not 00)."""
    return Division.objects.exclude(code__endswith="00").order_by("code")


def branches_near(county: Division):
    """Active branches an enterprise in ``county`` deals with: those supervised by the office
    covering the county, or by an office above it (a city or provincial branch)."""
    path = county.office.path
    steps = county.office.steplen
    paths = [path[:i] for i in range(steps, len(path) + 1, steps)]
    return (
        Branch.objects.filter(is_active=True, institution__is_active=True, office__path__in=paths)
        .select_related("institution")
        .order_by("institution__name_zh", "name_zh")
    )


class ChallengeForm(forms.Form):
    """A form that asks the signed arithmetic question of ``complaint_guard``; every showing
    asks a fresh one (each is answered once), and the one being answered travels in the data."""

    challenge = forms.CharField(widget=forms.HiddenInput)
    challenge_answer = forms.CharField(label=pgettext_lazy("sum", "Answer"), max_length=5)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.puzzle = new_challenge()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean returns
        if "challenge_answer" in cleaned:
            error = check_challenge(cleaned.get("challenge", ""), cleaned["challenge_answer"])
            if error:
                self.add_error("challenge_answer", error)
        return cleaned


class StartForm(ChallengeForm):
    email = forms.EmailField(label=_("Email address"))
    full_name = forms.CharField(label=_("Your name"), max_length=120)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)

    field_order = ["email", "full_name", "phone"]


class CountyField(forms.ModelChoiceField):
    """A county by its own name with its prefecture's (福州市 鼓楼区, Gulou District, Fuzhou):
    several counties share a name, and an owner knows neither the code nor the office that
    covers it."""

    def label_from_instance(self, obj) -> str:
        code = obj.code[:4] + "00"
        if (get_language() or "").startswith("en") and obj.name_en:
            prefecture = english_names().get(code, "")
            return f"{obj.name_en}, {prefecture}" if prefecture else obj.name_en
        prefecture = own_name(code, "")
        return f"{prefecture} {obj.name}" if prefecture and prefecture != obj.name else obj.name


class IntakeForm(ChallengeForm):
    county = CountyField(
        label=_("County where the enterprise operates"),
        queryset=county_divisions(),
        to_field_name="code",
    )
    branch = forms.ModelChoiceField(
        label=_("Bank or insurer branch"), queryset=Branch.objects.none()
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    enterprise_name = forms.CharField(label=_("Enterprise name"), max_length=200)
    enterprise_credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        help_text=_("18 characters, as on the business licence."),
    )
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=300)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30)
    description = forms.CharField(
        label=_("What happened"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    wish = forms.CharField(
        label=_("What you ask for"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    attachments = MultipleFileField(
        label=_("Attachments (PDF or images)"),
        required=False,
        help_text=_("Contracts, receipts, letters or photos; files are checked by content."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        county_code = self.data.get("county") if self.is_bound else self.initial.get("county")
        county = Division.objects.filter(code=county_code).select_related("office").first()
        branch = self.fields["branch"]
        assert isinstance(branch, forms.ModelChoiceField), "declared above"
        if county is not None:
            branch.queryset = branches_near(county)

    def clean_enterprise_credit_code(self) -> str:
        check = check_credit_code(self.cleaned_data["enterprise_credit_code"])
        if not check.ok:
            raise ValidationError(
                _("This is not a valid unified social credit code: %(error)s.")
                % {"error": check.message}
            )
        return check.value


class AcknowledgeForm(forms.Form):
    complexity = forms.ChoiceField(
        label=_("Complexity"), choices=Complexity.choices, initial=Complexity.SIMPLE
    )


class TextForm(forms.Form):
    text = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class InfoForm(TextForm):
    attachments = MultipleFileField(label=_("Attachments (PDF or images)"), required=False)


class AnswerForm(TextForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)


class AssessForm(TextForm):
    substantive = forms.TypedChoiceField(
        label=_("Substantive"),
        choices=[("1", _("Substantive")), ("0", _("Not substantive"))],
        coerce=lambda v: v == "1",
    )


class LinkForm(forms.Form):
    reference = forms.CharField(label=_("Reference number of the other complaint"), max_length=20)
    kind = forms.ChoiceField(label=_("Link"), choices=LinkKind.choices)


class TransferForm(TextForm):
    branch = forms.ModelChoiceField(
        label=_("To the branch (credit code)"),
        queryset=Branch.objects.filter(is_active=True),
        to_field_name="credit_code",
        required=False,
        widget=forms.TextInput,
    )
    office_code = forms.CharField(label=_("Or to the office (division code)"), required=False)


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How well was your complaint handled? (5 is best)"),
        choices=[(str(n), str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    solved = forms.TypedChoiceField(
        label=_("Was your problem solved?"),
        choices=[("1", _("Yes")), ("0", _("No"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("A sentence on the handling (optional)"), max_length=500, required=False
    )


class ReferForm(TextForm):
    body = forms.ModelChoiceField(
        label=_("Refer to"),
        queryset=ReferralBody.objects.filter(is_active=True),
        to_field_name="code",
    )
