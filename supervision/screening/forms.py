"""Forms of the screening pages. They read and check what people typed; the changes are the
service functions' (``supervision.screening``), which the views call with the cleaned data."""

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.models import Branch, Institution, Office
from supervision.screening import lists as screening_lists
from supervision.screening import results as screening_results
from supervision.screening import rollup
from supervision.screening.models import Assignment, Decision, KeyArea


def _choose(form: forms.Form, name: str, choices: Sequence[tuple[str, str]]) -> None:
    """Set the choices of the form's choice field ``name`` (known only when it is shown)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField), f"{name} is not a choice field"
    field.choices = choices


def codes(text: str) -> list[str]:
    """Codes typed with commas, spaces or new lines between them."""
    return [c for c in text.replace(",", " ").replace("，", " ").split() if c]


class TaskForm(forms.Form):
    office = forms.ChoiceField(label=gettext_lazy("Office"))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    key_areas = forms.MultipleChoiceField(
        label=gettext_lazy("Key areas"),
        required=False,
        choices=KeyArea.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    deadline = forms.DateField(
        label=gettext_lazy("Deadline"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    file = forms.FileField(
        label=gettext_lazy("Enterprise list (SCREENING-LIST .xlsx)"), required=False
    )
    rows = forms.CharField(
        label=gettext_lazy("Or paste the rows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Rows copied from the template, one enterprise a line, its columns in the "
            "template's order separated by tabs."
        ),
    )

    def __init__(self, *args, offices: list[Office], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.offices = {o.code: o for o in offices}
        _choose(self, "office", [(o.code, o.name) for o in offices])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what Form.clean returns
        if bool(cleaned.get("file")) == bool(cleaned.get("rows", "").strip()):
            raise ValidationError(_("Upload the list or paste its rows (one of the two)."))
        return cleaned

    def enterprises(self):
        """The checked list, from the workbook or the pasted rows."""
        if not self.cleaned_data["file"]:
            keys = screening_lists.LIST_SPEC.column_keys
            lines = [line for line in self.cleaned_data["rows"].splitlines() if line.strip()]
            return screening_lists.list_from_rows(
                [dict(zip(keys, line.split("\t"), strict=False)) for line in lines]
            )
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "list.xlsx"
            with path.open("wb") as out:
                for chunk in self.cleaned_data["file"].chunks():
                    out.write(chunk)
            return screening_lists.read_list(path)


class DelegateForm(forms.Form):
    child = forms.ChoiceField(label=gettext_lazy("Child office"))
    counties = forms.CharField(
        label=gettext_lazy("Counties (division codes)"),
        required=False,
        help_text=gettext_lazy("Blank: every county the child office covers."),
    )

    def __init__(self, *args, children: list[Office], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.children = {o.code: o for o in children}
        _choose(self, "child", [(o.code, o.name) for o in children])


class AssignForm(forms.Form):
    filer = forms.ChoiceField(label=gettext_lazy("Bank or branch"))
    counties = forms.CharField(label=gettext_lazy("Counties (division codes)"), required=False)
    credit_codes = forms.CharField(
        label=gettext_lazy("Or enterprises (credit codes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, office: Office, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        institutions = Institution.objects.filter(
            office__path__startswith=office.path, is_active=True
        ).order_by("name_zh")
        branches = (
            Branch.objects.filter(office__path__startswith=office.path, is_active=True)
            .select_related("institution")
            .order_by("name_zh")
        )
        _choose(
            self,
            "filer",
            [
                *((f"i:{i.pk}", i.name) for i in institutions),
                *((f"b:{b.pk}", b.name) for b in branches),
            ],
        )

    def chosen_filer(self) -> tuple[Institution, Branch | None]:
        kind, pk = self.cleaned_data["filer"].split(":")
        if kind == "b":
            branch = Branch.objects.select_related("institution", "office").get(pk=pk)
            return branch.institution, branch
        return Institution.objects.get(pk=pk), None


class AutoAssignForm(forms.Form):
    rule = forms.ChoiceField(
        label=gettext_lazy("Rule"),
        choices=[
            (Assignment.Rule.ROUND_ROBIN, Assignment.Rule.ROUND_ROBIN.label),
            (Assignment.Rule.RELATIONSHIP, Assignment.Rule.RELATIONSHIP.label),
        ],
    )


class EnterpriseFilterForm(forms.Form):
    STATES = [
        ("", gettext_lazy("All")),
        ("unassigned", gettext_lazy("Not assigned")),
        ("assigned", gettext_lazy("Assigned, no answer yet")),
        *Decision.choices,
    ]
    county = forms.RegexField(
        label=gettext_lazy("County"), regex=r"^\d{6}$", required=False, max_length=6
    )
    state = forms.ChoiceField(label=gettext_lazy("State"), choices=STATES, required=False)

    def known_count(self, figures: "rollup.Figures") -> int | None:
        """How many the filter lets through, read from the roll-up's ``figures`` when it
        filters by state alone (a county needs counting)."""
        if not self.is_valid() or self.cleaned_data.get("county"):
            return None
        state = self.cleaned_data.get("state")
        return figures.count_in(state) if state else figures.enterprises

    def filter(self, enterprises: QuerySet) -> QuerySet:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("county"):
            enterprises = enterprises.filter(county=data["county"])
        match data.get("state"):
            case "unassigned":
                enterprises = enterprises.filter(assignment__isnull=True)
            case "assigned":
                enterprises = enterprises.filter(assignment__isnull=False, decision="")
            case "" | None:
                pass
            case decision:
                enterprises = enterprises.filter(decision=decision)
        return enterprises


# -- a bank's answers typed in ----------------------------------------------------------

RESULT_COLUMNS = {c.key: c for c in screening_results.RESULT_SPEC.columns}


def _choices(key: str, blank: str = "") -> list[tuple[str, str]]:
    lang = screening_lists.reading_language()
    column = RESULT_COLUMNS[key]
    return [
        ("", blank),
        *((c.value, c.label_zh if lang == "zh" else c.label_en) for c in column.choices),
    ]


class ResultRowForm(forms.Form):
    """One enterprise's answer; a row left without a decision is not filed."""

    credit_code = forms.CharField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), required=False)
    contact_date = forms.DateField(
        label=gettext_lazy("Contact date"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    decline_reason = forms.ChoiceField(label=gettext_lazy("Decline reason"), required=False)
    credit_amount = forms.DecimalField(
        label=gettext_lazy("Credit (10,000 CNY)"), required=False, decimal_places=2, min_value=0
    )
    loan_amount = forms.DecimalField(
        label=gettext_lazy("Loan (10,000 CNY)"), required=False, decimal_places=2, min_value=0
    )
    loan_date = forms.DateField(
        label=gettext_lazy("Loan date"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    rate = forms.DecimalField(
        label=gettext_lazy("Rate (%)"), required=False, decimal_places=2, min_value=0
    )
    credit_loan = forms.BooleanField(label=gettext_lazy("Credit loan"), required=False)
    first_time = forms.BooleanField(label=gettext_lazy("First-time borrower"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _choose(self, "decision", _choices("decision", "—"))
        _choose(self, "decline_reason", _choices("decline_reason"))

    def row(self) -> dict | None:
        """The answer as a SCREENING-RESULT row, or None when no decision was chosen."""
        data = self.cleaned_data
        if not data.get("decision"):
            return None
        row = {k: v for k, v in data.items() if v not in (None, "") and k in RESULT_COLUMNS}
        granted = data["decision"] == Decision.GRANTED
        row["credit_loan"] = "Y" if data["credit_loan"] else ("N" if granted else None)
        row["first_time"] = "Y" if data["first_time"] else ("N" if granted else None)
        return row


ResultRowFormSet = forms.formset_factory(ResultRowForm, extra=0)
