from django import forms

from supervision.quality.models import MarkState


class MarkForm(forms.Form):
    filing = forms.IntegerField()
    row = forms.IntegerField(min_value=1)
    column = forms.CharField(max_length=60)
    state = forms.ChoiceField(choices=MarkState.choices)
    note = forms.CharField(required=False, max_length=2000)
