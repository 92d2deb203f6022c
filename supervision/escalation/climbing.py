"""The escalation timers, swept by beat: a case unacted past its deadline climbs to the parent
office, a rectification notice unanswered past its deadline is announced to both sides, and
every provider's current causes raise or join cases.

Deadlines are database columns. Cases move in batches (``settings.PORTAL_ESCALATION_BATCH``),
each a transaction of a fixed number of queries that locks its rows with SKIP LOCKED (rows
another sweep holds are left to it) and selects only cases still open and overdue, so two
sweeps at once move each case once, and a worker killed mid-sweep leaves each batch either
moved with its history, audit events and notifications or untouched for the next sweep.
On PostgreSQL a batch is moved by one set-based statement (``batch_sql``): its UPDATE ...
RETURNING feeds the INSERT ... SELECT of the history, audit events and notifications.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet

# Django's row comparison (made for composite keys): (deadline, id) > (%s, %s) in one index range.
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.utils import timezone
from django.utils.translation import gettext_noop

from portal import audit
from portal.models import Office, Role
from portal.notifications import (
    Notice,
    institution_staff,
    notify,
    notify_all,
    office_staff,
    office_staff_ids,
)
from supervision import causes
from supervision.escalation import batch_sql
from supervision.escalation.models import (
    Case,
    CaseEvent,
    CaseStatus,
    EscalationRule,
    EventVerb,
    NoticeStatus,
    RectificationNotice,
)
from supervision.escalation.raising import raise_all
from supervision.escalation.rules import RuleBook, rule_for
from supervision.escalation.services import case_url, notice_url

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    climbed: int
    lapsed: int
    raised: int


def overdue_cases(now: datetime):
    """Open cases past their deadline at an office that has a parent to climb to."""
    return Case.objects.filter(status=CaseStatus.OPEN, deadline__lte=now, office__depth__gt=1)


def climb(case_id: int, now: datetime) -> bool:
    """Move one overdue case to the parent office and tell both offices; False if another
    sweep holds it or it no longer needs to move."""
    due = overdue_cases(now).filter(pk=case_id)
    return _climb_batch(due, now, RuleBook.everything()) is not None


def climb_overdue(now: datetime | None = None) -> int:
    """Move every overdue case one level up, a batch (``settings.PORTAL_ESCALATION_BATCH``) per
    transaction, oldest first; returns how many this sweep moved. Each batch starts after the
    last case of the one before, (deadline, id) > (its deadline, its id) read from the
    (status, deadline, id) index, so that no batch reads again the cases moved before it
    (their old index entries stay until vacuum); a case another sweep holds is left to it."""
    now = now or timezone.now()
    book = RuleBook.everything()
    due = overdue_cases(now).order_by("deadline", "pk")
    batch = due
    moved = 0
    while last := _climb_batch(batch[: settings.PORTAL_ESCALATION_BATCH], now, book):
        count, position = last
        moved += count
        batch = due.filter(TupleGreaterThan(Tuple(F("deadline"), F("pk")), position))
    return moved


def _climb_batch(
    due: QuerySet[Case], now: datetime, book: RuleBook
) -> tuple[int, tuple[datetime, int]] | None:
    """Lock the cases of ``due`` that no other sweep holds and move each to its parent office
    with its history, audit events and notifications: one transaction, a fixed number of
    queries whatever the number of cases. Returns how many moved and the (deadline, id) the
    last of them had; None if none did."""
    # Not durable: bench_escalation sweeps its cases inside one transaction that it rolls back.
    with transaction.atomic():
        locked = list(
            due.select_for_update(skip_locked=True, of=("self",)).values_list(
                "pk", "deadline", "kind", "office_id"
            )
        )
        if not locked:
            return None
        _move([(pk, kind, office_id) for pk, _deadline, kind, office_id in locked], now, book)
    return len(locked), (locked[-1][1], locked[-1][0])


def _move(locked: list[tuple[int, str, int]], now: datetime, book: RuleBook) -> None:
    """Move the locked cases (id, kind, office id) up: set-based SQL on PostgreSQL, the ORM
    elsewhere (SQLite has no UPDATE inside a WITH); both leave the same rows."""
    if batch_sql.supported():
        batch_sql.climb(locked, now, book)
    else:
        _move_with_orm([pk for pk, _kind, _office in locked], now, book)


def _move_with_orm(ids: list[int], now: datetime, book: RuleBook) -> None:
    cases = list(
        Case.objects.filter(pk__in=ids)
        .order_by("deadline", "pk")
        .select_related("office", "institution", "branch")
    )
    step = Office.steplen
    parents = {
        office.path: office
        for office in Office.objects.filter(path__in={c.office.path[:-step] for c in cases})
    }
    moves: list[tuple[Case, Office, EscalationRule]] = []
    for case in cases:
        below, above = case.office, parents[case.office.path[:-step]]
        rule = book.rule(case.kind, above)
        assert rule is not None, "every kind has a national default (seeded after migrate)"
        case.office, case.level = above, above.level
        case.deadline = now + rule.time_to_act(above.level)
        case.escalations += 1
        moves.append((case, below, rule))
    Case.objects.bulk_update(cases, ["office", "level", "deadline", "escalations"])
    _record_climbs(moves, now)


def _record_climbs(moves: list[tuple[Case, Office, EscalationRule]], now: datetime) -> None:
    """The history, audit events and notifications of a batch of cases moved up from ``below``
    (each case already at its new office)."""
    CaseEvent.objects.bulk_create(
        CaseEvent(case=case, at=now, verb=EventVerb.CLIMBED, office=below, to_office=case.office)
        for case, below, _rule in moves
    )
    audit.record_all(
        [
            audit.unsaved(
                None, "escalation.climbed", case, {"office": [below.code, case.office.code]}
            )
            for case, below, _rule in moves
        ]
    )
    staff = office_staff_ids(
        (office.pk, rule.notify_role)
        for case, below, rule in moves
        for office in (below, case.office)
    )
    notify_all(
        Notice(
            [*staff[below.pk, rule.notify_role], *staff[case.office.pk, rule.notify_role]],
            message=batch_sql.CLIMBED,
            params={
                "case": case.pk,
                "subject": case.subject.name_zh,
                "below": below.name_zh,
                "above": case.office.name_zh,
            },
            url=case_url(case),
            target=case,
        )
        for case, below, rule in moves
    )


def lapse(notice_id: int, today: date) -> bool:
    """Tell the office and the institution, once, that a notice's deadline passed unanswered."""
    with transaction.atomic(durable=True):
        notice = (
            lapsed_notices(today)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("case__office", "case__institution", "case__branch")
            .filter(pk=notice_id)
            .first()
        )
        if notice is None:
            return False
        notice.lapsed_at = timezone.now()
        notice.save(update_fields=["lapsed_at"])
        case = notice.case
        audit.record(None, "escalation.notice_lapsed", notice, {"deadline": str(notice.deadline)})
        rule = rule_for(case.kind, case.office)
        notify(
            [
                *office_staff(case.office, rule.notify_role if rule else Role.VIEWER),
                *institution_staff(case.institution, case.branch),
            ],
            message=gettext_noop(
                "Rectification notice #%(notice)s to %(subject)s was not answered by its "
                "deadline (%(deadline)s)"
            ),
            params={
                "notice": notice.pk,
                "subject": case.subject.name_zh,
                "deadline": notice.deadline.isoformat(),
            },
            url=notice_url(notice),
            target=notice,
        )
    return True


def lapsed_notices(today: date):
    """Notices still awaiting an answer after their deadline, not yet announced as lapsed."""
    return RectificationNotice.objects.filter(
        status=NoticeStatus.ISSUED, deadline__lt=today, lapsed_at=None
    ).exclude(case__status=CaseStatus.CLOSED)


def lapse_overdue_notices(now: datetime | None = None) -> int:
    today = timezone.localdate(now or timezone.now())
    ids = list(lapsed_notices(today).order_by("deadline", "pk").values_list("pk", flat=True))
    return sum(lapse(pk, today) for pk in ids)


def collect_causes(now: datetime | None = None) -> int:
    """Ask every provider for its current causes and raise or join cases for the new ones.

    A provider that fails is logged and skipped: the other parts' causes still raise cases,
    and the next sweep asks it again.
    """
    now = now or timezone.now()
    raised = 0
    for kind in causes.kinds():
        try:
            raised += raise_all(causes.current(kind, now), now=now)
        except Exception:
            logger.exception("escalation: the provider of %r failed; skipped this sweep", kind)
    return raised


def sweep(now: datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    return SweepResult(
        climbed=climb_overdue(now), lapsed=lapse_overdue_notices(now), raised=collect_causes(now)
    )
