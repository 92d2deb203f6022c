from django import template
from django.template.loader import render_to_string

from portal.form_errors import forms_with_errors, summarise

register = template.Library()


@register.simple_tag(takes_context=True)
def error_summary(context) -> str:
    """The error summary of every form on the page that came back with errors; the base layout
    shows it at the top of the main content, so that no form's template has to."""
    summary = summarise(forms_with_errors(context.flatten().values()))
    if summary is None:
        return ""
    return render_to_string("portal/_error_summary.html", {"summary": summary})
