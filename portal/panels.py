"""GOV.UK's confirmation panel, shared by every capability: after a person acts, the next page
opens with a panel saying what was done (never a bare "Done."). Their "what happens next"
panel is ``templates/portal/_next_steps.html``, fed by each model's ``next_step``."""

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.http import HttpRequest

if TYPE_CHECKING:  # the stubs' name for a lazy translation; not installed in production
    from django_stubs_ext import StrPromise

CONFIRMATION = "confirmation"


def confirm(request: HttpRequest, text: "str | StrPromise") -> None:
    """Tell the person on the next page, in a confirmation panel, what they just did."""
    messages.success(request, text, extra_tags=CONFIRMATION)


def is_confirmation(message: Message) -> bool:
    return CONFIRMATION in (message.extra_tags or "").split()
