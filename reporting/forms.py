"""Forms of the filing pages: upload, sign, review, reopen, and the list filters.

Forms only read and check what the user typed; the state changes are the service functions'
(``reporting.filings``, ``reporting.schedule``), which the views call with the cleaned data.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models import InstitutionKind
from reporting import specs
from reporting.models import FilingStatus


class UploadForm(forms.Form):
    """A workbook for a request. The hidden size comes first in the page so that it arrives
    even when the file part of the body is cut off in transit."""

    declared_size = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    check_only = forms.BooleanField(
        label=_("Check only"),
        required=False,
        help_text=_("A trial: the file is validated and the report shown, but nothing is filed."),
    )
    file = forms.FileField(label=_("Workbook (.xlsx)"))
    # Set by the view when the body did not arrive whole; there is no form data to bind then.
    problem: str | Promise = ""

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.PORTAL_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}
            )
        return upload


class SignForm(forms.Form):
    """One checkbox and an optional reason per warning rule of the filing; one confirmation
    covers all of a rule's hits."""

    def __init__(self, *args, warning_codes: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.warning_codes = list(warning_codes)
        for code in self.warning_codes:
            self.fields[f"confirm_{code}"] = forms.BooleanField(
                label=_("I confirm %(code)s") % {"code": code}, required=False
            )
            self.fields[f"reason_{code}"] = forms.CharField(
                label=_("Reason"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """(code, checkbox, reason) per warning rule, for the template."""
        return [(c, self[f"confirm_{c}"], self[f"reason_{c}"]) for c in self.warning_codes]

    def confirmations(self) -> dict[str, str]:
        """{code: reason} for the rules ticked; the service refuses if any is missing."""
        return {
            code: self.cleaned_data.get(f"reason_{code}", "")
            for code in self.warning_codes
            if self.cleaned_data.get(f"confirm_{code}")
        }


class DecisionForm(forms.Form):
    """A reviewer's accept or return; returning needs a comment saying what to correct."""

    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("return", pgettext_lazy("decision", "Return"))]
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("decision") == "return" and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say what the bank must correct."))
        return cleaned

    @property
    def accept(self) -> bool:
        return self.cleaned_data["decision"] == "accept"


class _AnyIdsField(forms.TypedMultipleChoiceField):
    """Ids without a list of choices: any whole number is acceptable, as the view looks the
    ids up only in the user's own queue."""

    def valid_value(self, value: Any) -> bool:
        return str(value).isdigit()


class BulkDecisionForm(DecisionForm):
    """The queue's decision: on the ticked filings, or on all that match the filter."""

    target = forms.ChoiceField(
        choices=[("selected", _("Selected")), ("all", _("All matching the filter"))]
    )
    ids = _AnyIdsField(coerce=int, required=False)
    # "All matching" is asked once: the confirmation page sends back the count it stated.
    confirmed = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("target") == "selected" and not cleaned.get("ids"):
            raise ValidationError(_("Tick the filings to decide, or choose all matching."))
        return cleaned


class ReopenForm(forms.Form):
    until = forms.DateField(label=_("Open until"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


def _spec_choices() -> list[tuple[str, str | Promise]]:
    return [("", _("All returns")), *((code, code) for code in specs.codes())]


class RequestFilterForm(forms.Form):
    """Filters of the request list; the completeness filter reads the list's annotations
    (``is_filed``, ``is_late``), which the view adds."""

    COMPLETENESS = [
        ("", _("All")),
        ("filed", _("Filed")),
        ("not_filed", _("Not filed")),
        ("late", _("Late")),
    ]

    spec = forms.ChoiceField(label=_("Return"), required=False, choices=_spec_choices)
    period = forms.CharField(label=_("Period"), required=False, max_length=20)
    completeness = forms.ChoiceField(label=_("Filing"), required=False, choices=COMPLETENESS)

    def filter(self, requests: QuerySet) -> QuerySet:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("spec"):
            requests = requests.filter(spec_code=data["spec"])
        if data.get("period"):
            requests = requests.filter(period=data["period"].strip().upper())
        match data.get("completeness"):
            case "filed":
                requests = requests.filter(is_filed=True)
            case "not_filed":
                requests = requests.filter(is_filed=False)
            case "late":
                requests = requests.filter(is_late=True)
        return requests


class QueueFilterForm(forms.Form):
    """Filters of the review queue. The office is a division-code prefix of the filer's
    supervising office (e.g. 3501 for a city and its counties); scoping has already cut the
    queue to the user's subtree, so a prefix can only narrow it."""

    ANY_STATUS = "any"

    spec = forms.ChoiceField(label=_("Return"), required=False, choices=_spec_choices)
    period = forms.CharField(label=_("Period"), required=False, max_length=20)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Awaiting review")), (ANY_STATUS, _("Any status")), *FilingStatus.choices],
    )
    office = forms.RegexField(
        label=_("Office code"), required=False, regex=r"^\d{1,6}$", max_length=6
    )
    kind = forms.ChoiceField(
        label=_("Institution type"),
        required=False,
        choices=[("", _("All types")), *InstitutionKind.choices],
    )

    def filter(self, filings: QuerySet) -> QuerySet:
        """``filings`` narrowed by the valid filters; awaiting review unless told otherwise."""
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or FilingStatus.SUBMITTED
        if status != self.ANY_STATUS:
            filings = filings.filter(status=status)
        if data.get("spec"):
            filings = filings.filter(spec_code=data["spec"])
        if data.get("period"):
            filings = filings.filter(period=data["period"].strip().upper())
        if data.get("office"):
            prefix = data["office"]
            filings = filings.filter(
                Q(branch__office__code__startswith=prefix)
                | Q(branch__isnull=True, institution__office__code__startswith=prefix)
            )
        if data.get("kind"):
            filings = filings.filter(institution__kind=data["kind"])
        return filings

    def params(self) -> dict[str, str]:
        """The valid filters as they were given, to repeat them in links and bulk forms."""
        if not self.is_valid():
            return {}
        return {k: str(v) for k, v in self.cleaned_data.items() if v}
