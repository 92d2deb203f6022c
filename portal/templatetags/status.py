"""``{{ complaint|status_tag }}``: a status as a tag, its words (the model's choice label) on a
colour that says how it stands, so that a list can be scanned by colour and read by anyone
(never colour alone). Shared by every capability's lists."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

# How a status stands, by its stored value: the tones of portal.css's .status-tag.
TONES = {
    "done": {"accepted", "closed", "confirmed", "resolved", "completed", "archived", "notified"},
    "problem": {"overdue", "rejected", "returned", "at_office", "lapsed", "climbed", "declined"},
    "active": {"acknowledged", "answered", "mediating", "submitted", "reviewing", "in_progress"},
    "waiting": {"filed", "pending", "info_requested", "open", "issued", "assigned", "received"},
}


def tone(value: str) -> str:
    return next((name for name, values in TONES.items() if value in values), "")


@register.filter
def status_tag(obj, field: str = "status") -> SafeString:
    value = str(getattr(obj, field))
    label = getattr(obj, f"get_{field}_display")()
    return format_html(
        '<strong class="status-tag {}" data-status="{}">{}</strong>', tone(value), value, label
    )
