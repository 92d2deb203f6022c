"""Assigning a task's enterprises to banks: by hand (a manual override), by county in round
robin, or to the bank that granted the enterprise credit before; and again, to another bank,
what a bank declined. Each assignment becomes a return request for SCREENING-RESULT.

Each service runs in one transaction, checks the actor's right through ``portal.scoping``,
writes the audit trail and tells the banks. The enterprises move in SQL (two statements from
arrays on PostgreSQL), so that a task of 200,000 enterprises is assigned in seconds.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal import audit
from portal.models import Branch, Division, Institution, InstitutionKind, Office, User
from portal.notifications import institution_staff, notify
from reporting import schedule
from reporting.models import RequestSource
from supervision.screening.lists import INSERT_BATCH
from supervision.screening.models import (
    Assignment,
    AssignmentEntry,
    Decision,
    ScreeningTask,
    TaskEnterprise,
)
from supervision.screening.results import BLANK_OUTCOME, RESULT_SPEC
from supervision.screening.services import held, office_share, require_office, selected


@dataclass
class AssignmentResult:
    """What an assignment did: enterprises given per filer, and those no bank could take."""

    given: dict[Assignment, int] = field(default_factory=dict)
    unplaced: dict[str, int] = field(default_factory=dict)  # county -> enterprises left

    @property
    def assigned(self) -> int:
        return sum(self.given.values())


def _filer_in_subtree(office: Office, institution: Institution, branch: Branch | None) -> bool:
    if branch is not None:
        return branch.institution_id == institution.pk and branch.office.path.startswith(
            office.path
        )
    return (
        Institution.objects.filter(pk=institution.pk)
        .filter(
            Q(office__path__startswith=office.path)
            | Q(branches__office__path__startswith=office.path)
        )
        .exists()
    )


def assign(
    user: User,
    task: ScreeningTask,
    office: Office,
    *,
    institution: Institution,
    branch: Branch | None = None,
    counties: Iterable[str] | None = None,
    credit_codes: Iterable[str] | None = None,
) -> AssignmentResult:
    """Give a bank (or one of its branches) in ``office``'s area the chosen enterprises the
    office holds; enterprises already given to another bank move (a manual override)."""
    require_office(user, office)
    if not _filer_in_subtree(office, institution, branch):
        raise ValidationError(_("Assign only to banks and branches your office supervises."))
    if not counties and not credit_codes:
        raise ValidationError(_("Choose the counties or the enterprises to assign."))
    with transaction.atomic(durable=True):
        office_share(task, office)
        chosen = selected(
            TaskEnterprise.objects.filter(task=task, holder_path=office.path),
            counties,
            credit_codes,
        ).exclude(assignment__institution=institution, assignment__branch=branch)
        ids = list(chosen.values_list("pk", flat=True))
        if not ids:
            raise ValidationError(_("None of the chosen enterprises is held by this office."))
        return _give(
            user,
            task,
            office,
            {(institution.pk, branch.pk if branch else None): ids},
            Assignment.Rule.MANUAL,
        )


def _candidates(office: Office, counties: Iterable[str]) -> dict[str, list[tuple[int, int]]]:
    """County -> the active bank branches in it within ``office``'s area, as (institution,
    branch) ids in a fixed order."""
    offices = dict(
        Division.objects.filter(code__in=list(counties)).values_list("code", "office_id")
    )
    branches = (
        Branch.objects.filter(
            office_id__in=set(offices.values()),
            office__path__startswith=office.path,
            is_active=True,
            institution__is_active=True,
        )
        .exclude(institution__kind=InstitutionKind.INSURER)
        .order_by("pk")
        .values_list("office_id", "institution_id", "pk")
    )
    by_office = defaultdict(list)
    for office_id, institution_id, branch_id in branches:
        by_office[office_id].append((institution_id, branch_id))
    return {county: by_office.get(office_id, []) for county, office_id in offices.items()}


def _relationships(task: ScreeningTask, enterprises: QuerySet) -> dict[str, set[int]]:
    """Credit code -> institutions that granted it credit in an earlier task."""
    earlier = (
        AssignmentEntry.objects.filter(
            decision=Decision.GRANTED,
            enterprise__credit_code__in=enterprises.values("credit_code"),
        )
        .exclude(enterprise__task=task)
        .values_list("enterprise__credit_code", "assignment__institution_id")
    )
    known = defaultdict(set)
    for code, institution_id in earlier:
        known[code].add(institution_id)
    return known


def _plan(
    enterprises: list[tuple[int, str, str]],
    candidates: dict[str, list[tuple[int, int]]],
    *,
    preferred: dict[str, set[int]] | None = None,
    excluded: dict[int, set[int]] | None = None,
) -> tuple[dict[tuple[int, int | None], list[int]], dict[str, int]]:
    """Who gets which enterprise: (id, county, credit code) in round robin per county over its
    candidates, a preferred institution first, never an excluded one (per enterprise id). The
    plan is keyed as ``_give`` takes it, by (institution, branch or None): here a branch."""
    plan: dict[tuple[int, int | None], list[int]] = defaultdict(list)
    unplaced: dict[str, int] = defaultdict(int)
    turn: dict[str, int] = defaultdict(int)
    for pk, county, code in enterprises:
        pool = [c for c in candidates.get(county, []) if c[0] not in (excluded or {}).get(pk, ())]
        if not pool:
            unplaced[county] += 1
            continue
        liked = [c for c in pool if c[0] in (preferred or {}).get(code, ())]
        if liked:
            plan[liked[0]].append(pk)
            continue
        plan[pool[turn[county] % len(pool)]].append(pk)
        turn[county] += 1
    return plan, dict(unplaced)


def auto_assign(
    user: User, task: ScreeningTask, office: Office, rule: str = Assignment.Rule.ROUND_ROBIN
) -> AssignmentResult:
    """Give every enterprise ``office`` holds unassigned to a bank branch in its county: in
    round robin, or to a bank that granted it credit before (else in round robin)."""
    require_office(user, office)
    if rule not in (Assignment.Rule.ROUND_ROBIN, Assignment.Rule.RELATIONSHIP):
        raise ValidationError(_("Unknown assignment rule."))
    with transaction.atomic(durable=True):
        office_share(task, office)
        holding = held(task, office)
        if rule == Assignment.Rule.ROUND_ROBIN and connection.vendor == "postgresql":
            return _round_robin_in_sql(user, task, office, holding)
        rows = list(
            holding.order_by("county", "credit_code").values_list("pk", "county", "credit_code")
        )
        candidates = _candidates(office, {county for _, county, _ in rows})
        preferred = _relationships(task, holding) if rule == Assignment.Rule.RELATIONSHIP else None
        plan, unplaced = _plan(rows, candidates, preferred=preferred)
        result = _give(user, task, office, plan, rule)
        result.unplaced = unplaced
    return result


def _round_robin_in_sql(
    user: User, task: ScreeningTask, office: Office, holding: QuerySet
) -> AssignmentResult:
    """``_plan``'s round robin without the enterprises leaving the database: the k-th
    enterprise of a county (by credit code) goes to the county's candidate k mod n. Only the
    counts per county are read; one statement then points the enterprises and writes their
    history entries."""
    per_county = dict(
        holding.order_by().values("county").annotate(n=Count("pk")).values_list("county", "n")
    )
    candidates = _candidates(office, per_county)
    counts: dict[tuple[int, int | None], int] = defaultdict(int)
    turns: list[tuple[str, int, tuple[int, int], int]] = []  # county, turn, filer, pool size
    unplaced = {}
    for county, total in sorted(per_county.items()):
        pool = candidates.get(county, [])
        if not pool:
            unplaced[county] = total
        for turn, filer in enumerate(pool[:total]):
            counts[filer] += len(range(turn, total, len(pool)))
            turns.append((county, turn, filer, len(pool)))
    result, assignments = _announce(user, task, office, counts, Assignment.Rule.ROUND_ROBIN)
    result.unplaced = unplaced
    blank = ", ".join(f"{name} = %s" for name in BLANK_OUTCOME)
    enterprises, entries = TaskEnterprise._meta.db_table, AssignmentEntry._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH slots AS (
                SELECT * FROM unnest(%s::text[], %s::int[], %s::bigint[], %s::int[])
                AS s(county, turn, assignment, pool)
            ), turns AS (
                SELECT id, county,
                       row_number() OVER (PARTITION BY county ORDER BY credit_code) - 1 AS turn
                FROM {enterprises}
                WHERE task_id = %s AND holder_path = %s AND assignment_id IS NULL
            ), pick AS (
                SELECT t.id AS enterprise, s.assignment FROM turns t
                JOIN slots s ON s.county = t.county AND s.turn = t.turn %% s.pool
            ), pointed AS (
                UPDATE {enterprises} AS e
                SET assignment_id = pick.assignment, pushed_at = %s, {blank}
                FROM pick WHERE e.id = pick.enterprise
            )
            INSERT INTO {entries} (assignment_id, enterprise_id, {", ".join(BLANK_OUTCOME)},
                                   assigned_at)
            SELECT assignment, enterprise, {", ".join(["%s"] * len(BLANK_OUTCOME))}, %s
            FROM pick ON CONFLICT DO NOTHING""",
            [
                [t[0] for t in turns],
                [t[1] for t in turns],
                [assignments[t[2]].pk for t in turns],
                [t[3] for t in turns],
                task.pk,
                office.path,
                now,
                *BLANK_OUTCOME.values(),
                *BLANK_OUTCOME.values(),
                now,
            ],
        )
    return result


def reassign_declined(user: User, task: ScreeningTask, office: Office) -> AssignmentResult:
    """Give the enterprises a bank declined, among those ``office`` assigned, to another bank
    in their county that has not been asked about them yet (round robin)."""
    require_office(user, office)
    with transaction.atomic(durable=True):
        office_share(task, office)
        declined = TaskEnterprise.objects.filter(
            task=task,
            holder_path=office.path,
            assignment__office=office,
            decision=Decision.DECLINED,
        )
        rows = list(
            declined.order_by("county", "credit_code").values_list("pk", "county", "credit_code")
        )
        asked = defaultdict(set)
        for pk, institution_id in AssignmentEntry.objects.filter(
            enterprise__in=declined
        ).values_list("enterprise_id", "assignment__institution_id"):
            asked[pk].add(institution_id)
        candidates = _candidates(office, {county for _, county, _ in rows})
        plan, unplaced = _plan(rows, candidates, excluded=asked)
        result = _give(user, task, office, plan, Assignment.Rule.ROUND_ROBIN)
        result.unplaced = unplaced
    return result


def _assignment_for(user, task: ScreeningTask, office: Office, institution_id: int, branch_id):
    assignment, created = Assignment.objects.get_or_create(
        task=task,
        office=office,
        institution_id=institution_id,
        branch_id=branch_id,
        defaults={"office_path": office.path, "due_date": task.deadline, "created_by": user},
    )
    if created:
        assignment.request = schedule.open_request(
            spec_code=RESULT_SPEC.code,
            period=task.period,
            institution=assignment.institution,
            branch=assignment.branch,
            office=office,
            due_date=task.deadline,
            source=RequestSource.SCREENING,
            source_ref=assignment.source_ref,
        )
        assignment.save(update_fields=["request"])
    return assignment


def _give(
    user,
    task: ScreeningTask,
    office: Office,
    plan: dict[tuple[int, int | None], list[int]],
    rule: str,
) -> AssignmentResult:
    """Record each filer's enterprises: an entry each (history), the enterprise pointing at its
    new assignment with its answer cleared, one audit event and one notice per assignment."""
    counts = {filer: len(ids) for filer, ids in plan.items() if ids}
    result, assignments = _announce(user, task, office, counts, rule)
    _point({assignments[filer].pk: plan[filer] for filer in counts})
    return result


def _announce(
    user, task: ScreeningTask, office: Office, counts: dict[tuple[int, int | None], int], rule: str
) -> tuple[AssignmentResult, dict[tuple[int, int | None], Assignment]]:
    """Each filer's assignment (with its return request), one audit event and one notice
    each, for the number of enterprises it is given; keyed by (institution, branch)."""
    result, assignments = AssignmentResult(), {}
    for (institution_id, branch_id), count in counts.items():
        assignment = _assignment_for(user, task, office, institution_id, branch_id)
        assignments[(institution_id, branch_id)] = assignment
        result.given[assignment] = count
        audit.record(user, "screening.assigned", assignment, {"enterprises": count, "rule": rule})
        notify(
            institution_staff(assignment.institution, assignment.branch),
            message=gettext_noop(
                "Screening task %(task)s: %(count)s enterprises assigned to you, "
                "results due %(due)s"
            ),
            params={"task": task.title, "count": count, "due": task.deadline.isoformat()},
            url=reverse("request-detail", args=[assignment.request_id]),
            target=assignment,
        )
    return result, assignments


def _point(given: dict[int, list[int]]) -> None:
    """Point each enterprise at its new assignment (assignment id -> enterprise ids), its
    answer cleared, and add the history entries (kept if the bank was asked before).

    On PostgreSQL two statements over the whole plan, from arrays; elsewhere in batches."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        enterprise_ids = [pk for ids in given.values() for pk in ids]
        assignment_ids = [a for a, ids in given.items() for _ in ids]
        pairs = "unnest(%s::bigint[], %s::bigint[]) AS m(enterprise, assignment)"
        blank = ", ".join(f"{name} = %s" for name in BLANK_OUTCOME)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TaskEnterprise._meta.db_table} AS t SET assignment_id = m.assignment, "
                f"pushed_at = %s, {blank} FROM {pairs} WHERE t.id = m.enterprise",
                [now, *BLANK_OUTCOME.values(), enterprise_ids, assignment_ids],
            )
            cursor.execute(
                f"INSERT INTO {AssignmentEntry._meta.db_table} (assignment_id, enterprise_id, "
                f"{', '.join(BLANK_OUTCOME)}, assigned_at) SELECT m.assignment, m.enterprise, "
                f"{', '.join(['%s'] * len(BLANK_OUTCOME))}, %s FROM {pairs} ON CONFLICT DO NOTHING",
                [*BLANK_OUTCOME.values(), now, enterprise_ids, assignment_ids],
            )
        return
    for assignment_id, ids in given.items():
        for start in range(0, len(ids), INSERT_BATCH):
            chunk = ids[start : start + INSERT_BATCH]
            AssignmentEntry.objects.bulk_create(
                (AssignmentEntry(assignment_id=assignment_id, enterprise_id=pk) for pk in chunk),
                ignore_conflicts=True,
            )
            TaskEnterprise.objects.filter(pk__in=chunk).update(
                assignment_id=assignment_id, pushed_at=now, **BLANK_OUTCOME
            )


def date_push(enterprises: QuerySet[TaskEnterprise], pushed_at: datetime) -> None:
    """Date the current push of ``enterprises`` to ``pushed_at``: their current entries and the
    push kept on them (the demo's and the bench's earlier pushes)."""
    AssignmentEntry.objects.filter(
        enterprise__in=enterprises.values("pk"), assignment=F("enterprise__assignment")
    ).update(assigned_at=pushed_at)
    enterprises.filter(assignment__isnull=False).update(pushed_at=pushed_at)
