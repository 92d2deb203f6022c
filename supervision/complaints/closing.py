"""How a complaint ends for its owner: an answer left unconfirmed past the feedback window
closes as "answered, no feedback" (beat sweeps it), and once closed the owner rates the
handling (1-5, solved or not, a sentence) — the yardstick of the 2023 notice (十七).
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal import audit
from portal.models import User
from supervision.complaints.clock import local_day
from supervision.complaints.models import Complaint, EventKind
from supervision.complaints.services import (
    S,
    bank_staff,
    is_owner,
    lock_complaint,
    record_step,
    require,
    tell,
)


def close_unconfirmed(now: datetime | None = None) -> int:
    """Close every answered complaint whose owner let the feedback window pass.

    The window's last day is ``feedback_due_on``; the complaint closes the day after. Each is
    re-read under its lock, so a second run, or the owner's verdict at the same moment, wins
    once.
    """
    today = local_day(now)
    closed = 0
    silent = Complaint.objects.filter(status=S.ANSWERED, feedback_due_on__lt=today)
    for pk in silent.values_list("pk", flat=True):
        with transaction.atomic(durable=True):
            c = (
                Complaint.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=S.ANSWERED, feedback_due_on__lt=today)
                .first()
            )
            if c is None or c.feedback_due_on is None:
                continue
            c.status, c.closed_at = S.NO_FEEDBACK, timezone.now()
            c.save(update_fields=["status", "closed_at"])
            record_step(c, EventKind.NO_FEEDBACK, None, due=c.feedback_due_on.isoformat())
            audit.record(None, "complaint_no_feedback", c, {"status": [S.ANSWERED, c.status]})
            tell(
                [c.owner],
                gettext_noop(
                    "Complaint %(reference)s was closed as answered, no feedback: you gave no "
                    "verdict by %(due)s. You can still rate the handling."
                ),
                c,
                due=c.feedback_due_on.isoformat(),
            )
            tell(bank_staff(c), gettext_noop("Complaint %(reference)s was closed"), c)
            closed += 1
    return closed


@transaction.atomic(durable=True)
def rate(owner: User, complaint: Complaint, rating: int, solved: bool, comment: str = "") -> None:
    """The owner's one rating of a closed complaint's handling."""
    require(is_owner(owner, complaint))
    if rating not in range(1, 6):
        raise ValidationError(_("Rate the handling from 1 to 5."))
    c = lock_complaint(complaint, S.rateable(), _("Only a closed complaint can be rated."))
    if c.rating is not None:
        raise ValidationError(_("You have already rated this complaint."))
    c.rating, c.solved = rating, solved
    c.rating_comment, c.rated_at = (comment or "").strip()[:500], timezone.now()
    c.save(update_fields=["rating", "solved", "rating_comment", "rated_at"])
    record_step(c, EventKind.RATED, owner, c.rating_comment, rating=rating, solved=solved)
    audit.record(owner, "complaint_rated", c, {"rating": [None, rating], "solved": [None, solved]})
