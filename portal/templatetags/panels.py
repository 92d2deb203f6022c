"""``{% split_messages as confirmations notices %}``: the messages of the page, those that
confirm what the person did (shown as a panel, ``portal.panels.confirm``) apart from the rest."""

from django import template
from django.contrib.messages import get_messages

from portal.panels import is_confirmation

register = template.Library()


@register.simple_tag(takes_context=True)
def split_messages(context) -> tuple[list, list]:
    request = context.get("request")
    found = list(get_messages(request)) if request is not None else []
    return (
        [m for m in found if is_confirmation(m)],
        [m for m in found if not is_confirmation(m)],
    )
