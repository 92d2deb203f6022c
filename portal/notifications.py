"""Telling people that something awaits them: an inbox entry each, and an email on commit.

Service functions call ``notify`` inside their transaction; the rows commit with the change
they announce, and the emails go out from a worker only once it has committed.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext

from portal import scoping
from portal.models import Branch, Institution, Membership, Notification, Office, Role, User
from portal.outbox import send_on_commit

SUBJECT_PREFIX = "[SME Finance Supervision]"


def notify(
    recipients: Iterable[User],
    *,
    message: str,
    params: dict | None = None,
    url: str = "",
    target: Model | None = None,
) -> list[Notification]:
    """Store one notification per distinct active recipient and email them after commit.

    ``message`` is an English message id marked with ``gettext_noop``; ``params`` fill its
    ``%(name)s`` placeholders (plain strings and numbers, stored as JSON).
    """
    people = {user.pk: user for user in recipients if user.is_active}
    notes = Notification.objects.bulk_create(
        Notification(
            recipient_id=pk,
            message=message,
            params=params or {},
            url=url,
            object_type=target._meta.label if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
        )
        for pk in sorted(people)
    )
    if notes:
        from portal.tasks import send_notification_emails  # the task module imports this one

        send_on_commit(send_notification_emails, [note.pk for note in notes])
    return notes


def office_staff(office: Office, role: str = Role.VIEWER) -> QuerySet[User]:
    """The people of ``office`` itself holding ``role`` or a higher regulator role."""
    return User.objects.filter(
        is_active=True,
        memberships__office=office,
        memberships__role__in=Role.at_least(role),
    ).distinct()


def institution_staff(institution: Institution, branch: Branch | None = None) -> QuerySet[User]:
    """The officers of ``institution`` (its head office) and, if given, of ``branch``."""
    members = Membership.objects.filter(institution=institution)
    if branch is not None:
        members = members | Membership.objects.filter(branch=branch)
    return User.objects.filter(is_active=True, pk__in=members.values("user_id")).distinct()


def deliver(ids: list[int]) -> int:
    """Email each not-yet-emailed notification among ``ids``; safe to run twice at once."""
    sent = 0
    for pk in ids:
        with transaction.atomic():
            note = (
                Notification.objects.select_for_update(skip_locked=True)
                .select_related("recipient")
                .filter(pk=pk, emailed_at=None)
                .first()
            )
            if note is None:
                continue
            _email(note)
            note.emailed_at = timezone.now()
            note.save(update_fields=["emailed_at"])
            sent += 1
    return sent


def _email(note: Notification) -> None:
    with translation.override(note.recipient.language or settings.LANGUAGE_CODE):
        text = note.text
        link = settings.SITE_URL + note.url if note.url.startswith("/") else note.url
        body = "\n\n".join(
            part
            for part in (text, link, gettext("You can read all your notifications in the portal."))
            if part
        )
        send_mail(
            f"{SUBJECT_PREFIX} {text}"[:200],
            body,
            settings.DEFAULT_FROM_EMAIL,
            [note.recipient.email],
        )


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).count()


def mark_read(user: User, notes: QuerySet[Notification] | None = None) -> int:
    """Mark the user's unread notifications (of ``notes``, else all of them) read; returns
    how many. Only the user's own: the rows go through the scoping layer."""
    mine = scoping.visible(user, Notification)
    if notes is not None:
        mine = mine.filter(pk__in=notes.values("pk"))
    return mine.filter(read_at=None).update(read_at=timezone.now())
