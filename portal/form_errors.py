"""The error summary every form shows above the page when it comes back with errors (the GOV.UK
pattern): one line per problem, each a link to its field, in the reader's language.

Django's own "This field is required." says nothing of which field when ten of them are empty,
so a required field's error is rewritten to name the field ("Enter the description", "Choose
the county"), and the field's own error then reads the same as its line in the summary."""

from dataclasses import dataclass

from django import forms
from django.forms.utils import ErrorList
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext as _

CHOSEN = (forms.Select, forms.RadioSelect, forms.CheckboxInput, forms.CheckboxSelectMultiple)


@dataclass(frozen=True)
class Problem:
    message: str
    target: str  # the id of the field the line links to


@dataclass(frozen=True)
class Summary:
    problems: list[Problem]
    files_lost: list[str]  # labels of file fields whose choice the browser did not keep


def forms_with_errors(values) -> list[forms.BaseForm]:
    """The forms among a page's context values (a formset's forms included) that came back
    with errors. Only forms already validated count: asking a bound filter form that its view
    never checked for its errors would validate it here and show errors nobody asked for."""
    found: list[forms.BaseForm] = []
    for value in values:
        if isinstance(value, forms.BaseFormSet):
            found += [form for form in value.forms if _checked(form)]
        elif isinstance(value, forms.BaseForm) and _checked(value):
            found.append(value)
    return [form for form in found if form.errors]


def _checked(form: forms.BaseForm) -> bool:
    return form.is_bound and getattr(form, "_errors", None) is not None


def summarise(all_forms: list[forms.BaseForm]) -> Summary | None:
    problems: list[Problem] = []
    files_lost: list[str] = []
    for form in all_forms:
        _name_required_fields(form)
        fields = list(form)
        first = fields[0].id_for_label if fields else ""
        problems += [Problem(str(error), first) for error in form.non_field_errors()]
        for bound in fields:
            problems += [Problem(str(error), bound.id_for_label) for error in bound.errors]
            if isinstance(bound.field.widget, forms.FileInput):
                files_lost.append(str(bound.label))
    if not problems:
        return None
    return Summary(problems, files_lost)


def _name_required_fields(form: forms.BaseForm) -> None:
    for name, errors in list(form.errors.items()):
        if name not in form.fields:
            continue
        field = form.fields[name]
        label = _label(field.label or name)
        specific = [
            _required_message(field, label) if error.code == "required" else error
            for error in errors.as_data()
        ]
        form.errors[name] = ErrorList(specific, renderer=form.renderer)


def _label(label: str | Promise) -> str:
    text = str(label).rstrip(":：").strip()
    # Inside an English sentence a label is lower case ("Enter full name"), an acronym not.
    if get_language().startswith("en") and text[:2] != text[:2].upper():
        text = text[0].lower() + text[1:]
    return text


def _required_message(field: forms.Field, label: str) -> str:
    if isinstance(field.widget, forms.FileInput):
        return _("Choose a file for %(field)s") % {"field": label}
    if isinstance(field.widget, CHOSEN):
        return _("Choose %(field)s") % {"field": label}
    return _("Enter %(field)s") % {"field": label}
