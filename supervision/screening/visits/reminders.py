"""The follow-up of an enterprise after a visit, also after its task's deadline: the bank is
reminded once of a next step due tomorrow or earlier (``remind_next_steps``, swept by beat).

Only the latest visit of an enterprise in the assignment still holding it counts: a later
visit sets the next step anew, and an enterprise given to another bank is that bank's now.
The timer is the visit's own column, so a sweep run twice reminds nobody twice."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from portal.notifications import institution_staff, notify
from supervision.screening.visits.models import Visit

NOTICE_DAYS = 1  # reminded the day before the next step is due (or at once when later)


def due_visits(now: datetime):
    """The latest visits whose next step falls due by tomorrow and was not reminded."""
    later = Visit.objects.filter(
        enterprise=OuterRef("enterprise"),
        assignment=OuterRef("assignment"),
        visited_at__gt=OuterRef("visited_at"),
    )
    return (
        Visit.objects.filter(
            next_step_on__lte=timezone.localdate(now) + timedelta(days=NOTICE_DAYS),
            next_step_reminded_at__isnull=True,
            assignment=F("enterprise__assignment"),
        )
        .exclude(Exists(later))
        .select_related("enterprise", "assignment__institution", "assignment__branch")
        .order_by("next_step_on", "pk")
    )


def remind_next_steps(now: datetime | None = None) -> int:
    """Tell each due visit's bank of its next step; returns how many were reminded."""
    now = now or timezone.now()
    reminded = 0
    for visit in due_visits(now).iterator(chunk_size=500):
        with transaction.atomic(durable=True):
            claimed = Visit.objects.filter(pk=visit.pk, next_step_reminded_at=None).update(
                next_step_reminded_at=now
            )
            if not claimed:
                continue  # another sweep took it
            assert visit.next_step_on is not None, "due_visits has a next step date"
            notify(
                institution_staff(visit.assignment.institution, visit.assignment.branch),
                message=gettext_noop("Next step for %(enterprise)s due on %(due)s: %(step)s"),
                params={
                    "enterprise": visit.enterprise.name,
                    "due": visit.next_step_on.isoformat(),
                    "step": visit.next_step,
                },
                url=reverse("screening-visit", args=[visit.pk]),
                target=visit,
            )
            reminded += 1
    return reminded
