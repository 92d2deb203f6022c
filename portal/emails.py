"""Emails that are not notifications (an address to verify, a password reset, a complaint's
tracking link), sent through the outbox like every other piece of work after a commit.

``queue`` writes an ``Email`` row and its outbox message in the caller's transaction: nothing
is sent for a change that rolled back, and a broker outage delays the email without failing
the page. A worker's ``deliver`` writes the message with the kind's composer, in the language
the person asked in, and marks the row sent under its lock, so a message delivered twice
sends one email. Composers make the message's link at that moment: a link is a credential
and is never stored.

Each kind's composer is registered with ``@composer(kind)`` by the module that owns the
kind (``portal.accounts``; a capability from its ``receivers``).
"""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from portal.models import Email, User
from portal.outbox import send_on_commit

Composer = Callable[[Email], tuple[str, str]]  # the row -> (subject, body)
# Sent rows (an address, a name) are kept this long, then forgotten.
KEEP_SENT = timedelta(days=7)
_COMPOSERS: dict[str, Composer] = {}


def composer(kind: str) -> Callable[[Composer], Composer]:
    def register(compose: Composer) -> Composer:
        _COMPOSERS[kind] = compose
        return compose

    return register


def queue(kind: str, address: str, *, recipient: User | None = None, **params: str) -> Email:
    """Send a ``kind`` email to ``address`` once the current transaction commits."""
    from portal.tasks import send_emails  # the task module imports this one

    if kind not in _COMPOSERS:
        raise ValueError(f"no composer for {kind!r} emails")
    email = Email.objects.create(
        kind=kind,
        recipient=recipient,
        address=address,
        params=params,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    send_on_commit(send_emails, [email.pk])
    return email


def deliver(ids: list[int]) -> int:
    """Send each unsent email among ``ids``; safe to run twice at once. Forgets the emails
    sent more than ``KEEP_SENT`` ago."""
    Email.objects.filter(sent_at__lt=timezone.now() - KEEP_SENT).delete()
    sent = 0
    for pk in ids:
        with transaction.atomic():
            email = (
                Email.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(pk=pk, sent_at=None)
                .first()
            )
            if email is None:
                continue
            with translation.override(email.language):
                subject, body = _COMPOSERS[email.kind](email)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email.address])
            email.sent_at = timezone.now()
            email.save(update_fields=["sent_at"])
            sent += 1
    return sent
