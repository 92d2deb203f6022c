"""Telling people that something awaits them: an inbox entry each, and an email on commit.

Service functions call ``notify`` inside their transaction; the rows commit with the change
they announce, and the emails go out from a worker only once it has committed.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Notice:
    """One message to some people: what ``notify`` sends, and ``notify_all`` many of at once.

    ``recipients`` are user ids of active users; ``message`` is an English message id marked
    with ``gettext_noop``; ``params`` fill its ``%(name)s`` placeholders (plain strings and
    numbers, stored as JSON)."""

    recipients: Iterable[int]
    message: str
    params: dict = field(default_factory=dict)
    url: str = ""
    target: Model | None = None


def notify(
    recipients: Iterable[User],
    *,
    message: str,
    params: dict | None = None,
    url: str = "",
    target: Model | None = None,
) -> list[Notification]:
    """Store one notification per distinct active recipient and email them after commit."""
    active = [user.pk for user in recipients if user.is_active]
    return notify_all([Notice(active, message, params or {}, url, target)])


def notify_all(notices: Iterable[Notice]) -> list[Notification]:
    """``notify`` for many notices in one INSERT and one email task after commit (a sweep's
    thousands of cases): each notice's distinct recipients get one notification each."""
    notes = Notification.objects.bulk_create(
        Notification(
            recipient_id=pk,
            message=notice.message,
            params=notice.params,
            url=notice.url,
            object_type=notice.target._meta.label if notice.target is not None else "",
            object_id=str(notice.target.pk) if notice.target is not None else "",
        )
        for notice in notices
        for pk in sorted(set(notice.recipients))
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


def office_staff_ids(wanted: Iterable[tuple[int, str]]) -> dict[tuple[int, str], list[int]]:
    """``office_staff`` for many (office id, role) pairs in one query: the ids of the active
    people of each office holding the role or a higher regulator role."""
    wanted = set(wanted)
    held: dict[int, list[tuple[str, int]]] = {}
    for office_id, role, user_id in Membership.objects.filter(
        office_id__in={office_id for office_id, _role in wanted}, user__is_active=True
    ).values_list("office_id", "role", "user_id"):
        held.setdefault(office_id, []).append((role, user_id))
    staff = {}
    for office_id, role in wanted:
        roles = Role.at_least(role)
        staff[office_id, role] = sorted(
            {user for held_role, user in held.get(office_id, []) if held_role in roles}
        )
    return staff


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
