"""Raising escalation cases: a cause whose rule raises at its measure opens a case at its
office, or joins the open case of its institution (or branch); a key raises nothing twice.
Causes go in batches (``settings.PORTAL_ESCALATION_BATCH``), each one transaction of a fixed
number of queries that locks its institutions, writes the cases, causes, history, audit events
and notifications each in one INSERT and sends one email task on commit."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import TypeGuard

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal import audit
from portal.models import Branch, Institution, Office
from portal.notifications import Notice, notify_all, office_staff_ids
from supervision.causes import Cause
from supervision.escalation import batch_sql
from supervision.escalation.models import (
    Case,
    CaseCause,
    CaseEvent,
    CaseStatus,
    EscalationRule,
    EventVerb,
)
from supervision.escalation.rules import RuleBook
from supervision.escalation.services import case_url, params_of


def escalation_raise(cause: Cause, *, now: datetime | None = None) -> Case | None:
    """Raise a case for ``cause``, or join it to the institution's open case.

    Nothing happens when the key was seen before (whatever became of its case), or when the
    rule of the cause's office does not raise at this measure. Returns the case it joined.
    """
    cases = raise_causes([cause], now=now)
    return cases[0] if cases else None


def raise_all(causes: Iterable[Cause], *, now: datetime | None = None) -> int:
    """Raise or join a case for each cause whose key is new; returns how many did."""
    return len(raise_causes(causes, now=now))


def raise_causes(causes: Iterable[Cause], *, now: datetime | None = None) -> list[Case]:
    """Raise or join a case for each cause whose key is new and whose rule raises at its
    measure; returns the case of each, in order. Causes go in batches
    (``settings.PORTAL_ESCALATION_BATCH``), each one transaction of a fixed number of queries:
    a worker killed mid-way leaves each batch raised with its notifications, or not at all."""
    now = now or timezone.now()
    causes = list(causes)
    book = RuleBook.everything()
    cases: list[Case] = []
    size = settings.PORTAL_ESCALATION_BATCH
    for start in range(0, len(causes), size):
        batch = causes[start : start + size]
        cases += _raise_batch(batch, book, now)
    return cases


def _raise_batch(batch: list[Cause], book: RuleBook, now: datetime) -> list[Case]:
    seen = set(
        CaseCause.objects.filter(key__in=[c.key for c in batch]).values_list("key", flat=True)
    )
    offices = Office.objects.in_bulk({c.office_id for c in batch})
    due: list[tuple[Cause, EscalationRule]] = []
    for cause in batch:
        rule = book.rule(cause.kind, offices[cause.office_id])
        if cause.key not in seen and _raises(rule, cause):
            due.append((cause, rule))
            seen.add(cause.key)
    if not due:
        return []
    # Not durable, unlike the verbs below: bench_escalation raises its cases inside one
    # transaction that it rolls back, to leave the national data as it found it.
    with transaction.atomic():
        # One raise at a time per institution: two causes found at once make one case. In the
        # order of their ids, so that two batches never wait for each other.
        institutions = {
            i.pk: i
            for i in Institution.objects.select_for_update(no_key=True)
            .filter(pk__in={c.institution_id for c, _rule in due})
            .order_by("pk")
        }
        taken = set(
            CaseCause.objects.filter(key__in=[c.key for c, _rule in due]).values_list(
                "key", flat=True
            )
        )
        due = [(cause, rule) for cause, rule in due if cause.key not in taken]
        branches = Branch.objects.in_bulk({c.branch_id for c, _rule in due} - {None})
        open_cases: dict[tuple[int, int | None], Case] = {}
        for open_case in (
            Case.objects.select_for_update(of=("self",))
            .filter(
                Q(branch_id__in=list(branches))
                | Q(
                    branch=None,
                    institution_id__in={c.institution_id for c, _r in due if c.branch_id is None},
                )
            )
            .exclude(status=CaseStatus.CLOSED)
            .select_related("office", "institution", "branch")
        ):
            open_cases.setdefault((open_case.institution_id, open_case.branch_id), open_case)
        raised: list[tuple[Cause, EscalationRule, Case, bool]] = []
        for cause, rule in due:
            found = open_cases.get((cause.institution_id, cause.branch_id))
            joined = found is not None
            if found is not None:
                case = found
            else:
                office = offices[cause.office_id]
                case = Case(
                    institution=institutions[cause.institution_id],
                    branch=branches.get(cause.branch_id) if cause.branch_id else None,
                    office=office,
                    origin_office=office,
                    level=office.level,
                    kind=cause.kind,
                    deadline=now + rule.time_to_act(office.level),
                    opened_at=now,
                )
                open_cases[cause.institution_id, cause.branch_id] = case
            raised.append((cause, rule, case, joined))
        new = [case for _c, _r, case, joined in raised if not joined]
        if batch_sql.supported():
            batch_sql.insert_cases(new)
            batch_sql.record_raised([(c, r.notify_role, case, j) for c, r, case, j in raised], now)
        else:
            Case.objects.bulk_create(new)
            _record_raised(raised, now)
    return [case for _cause, _rule, case, _joined in raised]


def _record_raised(raised: list[tuple[Cause, EscalationRule, Case, bool]], now: datetime) -> None:
    """The causes, history, audit events and notifications of a batch of raised cases (on
    SQLite: PostgreSQL writes them with ``batch_sql`` in one statement)."""
    CaseCause.objects.bulk_create(
        CaseCause(
            case=case,
            kind=cause.kind,
            key=cause.key,
            measure=cause.measure,
            summary=cause.summary[:300],
            evidence_url=cause.evidence_url,
            occurred_on=cause.occurred_on,
            details=cause.details,
            requires_talk=cause.requires_talk,
            joined_at=now,
        )
        for cause, _rule, case, _joined in raised
    )
    at = timezone.now()
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=case,
            at=at,
            verb=EventVerb.JOINED if joined else EventVerb.RAISED,
            office=case.office,
            note=cause.summary,
        )
        for cause, _rule, case, joined in raised
    )
    audit.record_all(
        [
            audit.unsaved(
                None,
                "escalation.cause_joined" if joined else "escalation.raised",
                case,
                {"cause": cause.key, "kind": cause.kind, "measure": str(cause.measure)},
            )
            for cause, _rule, case, joined in raised
        ]
    )
    staff = office_staff_ids({(case.office_id, rule.notify_role) for _c, rule, case, _j in raised})
    notify_all(
        Notice(
            staff[case.office_id, rule.notify_role],
            message=batch_sql.JOINED if joined else batch_sql.RAISED,
            params=params_of(case, deadline=timezone.localtime(case.deadline).strftime("%Y-%m-%d")),
            url=case_url(case),
            target=case,
        )
        for _cause, rule, case, joined in raised
    )


def _raises(rule: EscalationRule | None, cause: Cause) -> TypeGuard[EscalationRule]:
    """Whether ``rule`` (so not None) raises a case for ``cause``."""
    return rule is not None and rule.is_active and Decimal(cause.measure) >= rule.threshold
