"""The complaint deadlines that beat sweeps: complaints still unanswered after their deadline
move to the supervising office's desk (and tell escalation), and the institution is reminded
of each complaint soon due.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_noop

from portal.webhooks import events as webhooks
from portal.webhooks.models import EventType
from supervision.complaints.causes import overdue_cause
from supervision.complaints.clock import local_day
from supervision.complaints.models import Complaint, DeskReason
from supervision.complaints.services import S, bank_staff, move_to_desk, send_causes, tell


def sweep_overdue(now: datetime | None = None) -> int:
    """Move every complaint still unanswered after its deadline to the office's desk.

    Beat runs it; a second run (or two at once) moves nothing twice: each complaint is
    re-read under its lock and skipped when another run holds it.
    """
    today = local_day(now)
    moved = 0
    late = Complaint.objects.filter(status__in=S.awaiting_answer(), due_on__lt=today)
    for pk in late.values_list("pk", flat=True):
        with transaction.atomic(durable=True):
            c = (
                Complaint.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status__in=S.awaiting_answer(), due_on__lt=today)
                .first()
            )
            if c is None:
                continue
            move_to_desk(c, DeskReason.OVERDUE, None)
            send_causes(overdue_cause(c, today))
            moved += 1
    return moved


def remind_due_soon(now: datetime | None = None) -> int:
    """Remind the institution of each unanswered complaint due within the reminder window,
    once per deadline (an extended deadline is reminded of again)."""
    today = local_day(now)
    soon = Complaint.objects.filter(
        status__in=S.awaiting_answer(),
        due_on__gte=today,
        due_on__lte=today + timedelta(days=settings.PORTAL_COMPLAINT_REMINDER_DAYS),
    ).exclude(reminded_for=F("due_on"))
    reminded = 0
    for pk in soon.values_list("pk", flat=True):
        with transaction.atomic(durable=True):
            c = (
                soon.select_for_update(skip_locked=True, of=("self",))
                .select_related("institution", "branch")
                .filter(pk=pk)
                .first()
            )
            if c is None:
                continue
            c.reminded_for = c.due_on
            c.save(update_fields=["reminded_for"])
            webhooks.emit(EventType.COMPLAINT_DUE, c, {"due_on": c.due_on.isoformat()})
            tell(
                bank_staff(c),
                gettext_noop("Complaint %(reference)s must be answered by %(due)s"),
                c,
                due=c.due_on.isoformat(),
            )
            reminded += 1
    return reminded
