from django import forms
from django.utils.translation import gettext_lazy as _

from supervision.publication.models import CaseSource


class CaseForm(forms.Form):
    source = forms.ChoiceField(label=_("Written from"), choices=CaseSource.choices)
    complaint_reference = forms.CharField(
        label=_("Reference of the complaint"),
        max_length=20,
        required=False,
        help_text=_("The text is checked against the complaint's parties."),
    )
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    body_zh = forms.CharField(
        label=_("Case (Chinese)"), max_length=8000, widget=forms.Textarea(attrs={"rows": 8})
    )
    body_en = forms.CharField(
        label=_("Case (English)"), max_length=8000, widget=forms.Textarea(attrs={"rows": 8})
    )
    consent = forms.BooleanField(label=_("The parties consented to being named"), required=False)
    consent_note = forms.CharField(
        label=_("How their consent was recorded"), max_length=300, required=False
    )


class WithdrawForm(forms.Form):
    text = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
