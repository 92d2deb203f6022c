"""Passing a task down in one go: everything an office holds delegated down the tree to the
offices of its counties and assigned there in round robin to the banks of each county. It is
what ``delegate_by_county`` level by level and then ``auto_assign`` at every holding office
do, with the same shares, assignments, audit events and notices, but set-based: where each
county's enterprises end up (their holding office and its banks) is resolved once per county,
and the enterprises are then moved and assigned by one UPDATE and one INSERT ... SELECT of
their history entries, so that a national task of millions moves in minutes.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from portal.models import Division, Office, User
from supervision.screening import announcing
from supervision.screening import assignment as screening_assignment
from supervision.screening.models import (
    Assignment,
    AssignmentEntry,
    Delegation,
    ScreeningTask,
    TaskEnterprise,
)
from supervision.screening.results import BLANK_OUTCOME
from supervision.screening.services import held, office_share, require_office

Filer = tuple[int, int | None]  # (institution, branch)
SORT_MEMORY = "256MB"  # for the sort of a national list (5,000,000 rows) by county


@dataclass
class PassDownResult:
    """What a pass-down did: enterprises delegated per office, given per assignment, and
    those no bank in their county could take (county -> enterprises, left with their
    holding office)."""

    delegated: dict[Office, int] = field(default_factory=dict)
    given: dict[Assignment, int] = field(default_factory=dict)
    unplaced: dict[str, int] = field(default_factory=dict)

    @property
    def assigned(self) -> int:
        return sum(self.given.values())


def _destinations(office: Office, counties: list[str]) -> dict[str, Office]:
    """County -> the office its enterprises end up with: the office of its division when that
    lies in ``office``'s subtree (delegation by county reaches it), else ``office`` itself."""
    by_code = dict(
        Division.objects.filter(
            code__in=counties, office__path__startswith=office.path
        ).values_list("code", "office_id")
    )
    offices = Office.objects.in_bulk(set(by_code.values()))
    return {county: offices.get(by_code.get(county), office) for county in counties}


def _delegate_along(
    user: User, task: ScreeningTask, share: Delegation, per_holder: dict[Office, int]
) -> dict[Office, int]:
    """The shares of every office between ``office`` and the holders, each told of the
    enterprises passed to it (as many as its subtree ends up holding); returns them."""
    reaching: dict[str, int] = defaultdict(int)  # office path -> enterprises passing through
    top = len(share.office_path)
    for holder, count in per_holder.items():
        for end in range(top + Office.steplen, len(holder.path) + 1, Office.steplen):
            reaching[holder.path[:end]] += count
    offices = Office.objects.filter(path__in=list(reaching)).order_by("path")
    delegated = {child: reaching[child.path] for child in offices}
    announcing.delegations(user, task, share, delegated)
    return delegated


def _slots(
    user: User,
    task: ScreeningTask,
    office: Office,
    per_county: dict[str, int],
    destinations: dict[str, Office],
    result: PassDownResult,
) -> list[tuple[str, int, int, int]]:
    """The assignments of every holding office to the bank branches of its counties (made
    with their requests, audit events and notices, as ``auto_assign`` makes them), and the
    round robin's slots: (county, turn, assignment id, pool size); counties without a bank
    are noted in ``result``."""
    candidates = screening_assignment._candidates(office, per_county)
    counts: dict[Office, dict[Filer, int]] = defaultdict(lambda: defaultdict(int))
    turns: list[tuple[str, int, Office, Filer, int]] = []
    for county in sorted(per_county):
        pool, total, holder = candidates.get(county, []), per_county[county], destinations[county]
        if not pool:
            result.unplaced[county] = total
        for turn, filer in enumerate(pool[:total]):
            counts[holder][filer] += len(range(turn, total, len(pool)))
            turns.append((county, turn, holder, filer, len(pool)))
    made = announcing.assignments(user, task, counts, Assignment.Rule.ROUND_ROBIN)
    result.given = {
        made[holder.pk, filer]: n for holder, given in counts.items() for filer, n in given.items()
    }
    return [(c, t, made[holder.pk, filer].pk, n) for c, t, holder, filer, n in turns]


def pass_down(user: User, task: ScreeningTask, office: Office) -> PassDownResult:
    """Delegate what ``office`` holds down to the offices of its counties and assign each
    county's enterprises in round robin (by credit code) to the county's bank branches."""
    require_office(user, office)
    result = PassDownResult()
    with transaction.atomic(durable=True):
        share = office_share(task, office)
        holding = held(task, office)
        per_county = dict(
            holding.order_by().values("county").annotate(n=Count("pk")).values_list("county", "n")
        )
        destinations = _destinations(office, list(per_county))
        per_holder: dict[Office, int] = defaultdict(int)
        for county, count in per_county.items():
            if destinations[county] != office:
                per_holder[destinations[county]] += count
        result.delegated = _delegate_along(user, task, share, per_holder)
        slots = _slots(user, task, office, per_county, destinations, result)
        _move_and_assign(task, office, destinations, slots)
    return result


def _move_and_assign_in_python(
    task: ScreeningTask,
    office: Office,
    destinations: dict[str, Office],
    slots: list[tuple[str, int, int, int]],
) -> None:
    """``_move_and_assign`` where there is no PostgreSQL (SQLite, for the commands' own
    tests): the same round robin planned here, an UPDATE per county and ``_point``'s batches."""
    by_turn = {(county, turn): assignment for county, turn, assignment, _ in slots}
    pools = {county: size for county, _, _, size in slots}
    given: dict[int, list[int]] = defaultdict(list)
    turns: dict[str, int] = defaultdict(int)
    holding = held(task, office)
    for pk, county in holding.order_by("county", "credit_code").values_list("pk", "county"):
        if pools.get(county):
            given[by_turn[county, turns[county] % pools[county]]].append(pk)
            turns[county] += 1
    for county, holder in destinations.items():
        if holder != office:
            holding.filter(county=county).update(holder=holder, holder_path=holder.path)
    screening_assignment._point(dict(given))


def _move_and_assign(
    task: ScreeningTask,
    office: Office,
    destinations: dict[str, Office],
    slots: list[tuple[str, int, int, int]],
) -> None:
    """One UPDATE moving every enterprise ``office`` holds to its county's holder and pointing
    it at its round robin's assignment (the k-th of a county by credit code to its slot k mod
    n, its answer cleared), and one INSERT of their history entries. Enterprises no bank
    takes keep their answer and push; rows that would not change are not rewritten."""
    enterprises, entries_table = TaskEnterprise._meta.db_table, AssignmentEntry._meta.db_table
    if connection.vendor != "postgresql":
        _move_and_assign_in_python(task, office, destinations, slots)
        return
    kept = ", ".join(
        f"{name} = CASE WHEN p.assignment IS NULL THEN e.{name} ELSE %s END"
        for name in BLANK_OUTCOME
    )
    counties = sorted(destinations)
    pools = {county: size for county, _, _, size in slots}
    now = timezone.now()
    with connection.cursor() as cursor:
        # The k-th enterprise's slot is computed beside it, so that the slots are joined by
        # equality rather than every slot of the county tried against each; the sort of a
        # large list by county and credit code stays in memory. The rows are rewritten in
        # the order of their ids and the entries inserted in the order of their key (merged,
        # not hashed), so that each index page is dirtied once rather than at random: a
        # fifth less time at 200,000, more where the indexes outgrow the shared buffers.
        cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute(
            f"""WITH dest AS (
                SELECT * FROM unnest(%s::text[], %s::bigint[], %s::text[], %s::int[])
                AS d(county, holder_id, holder_path, pool)
            ), slots AS (
                SELECT * FROM unnest(%s::text[], %s::int[], %s::bigint[])
                AS s(county, turn, assignment)
            ), turns AS (
                SELECT e.id, e.county, d.holder_id, d.holder_path,
                       (row_number() OVER (PARTITION BY e.county ORDER BY e.credit_code) - 1)
                       %% NULLIF(d.pool, 0) AS turn
                FROM {enterprises} e JOIN dest d ON d.county = e.county
                WHERE e.task_id = %s AND e.holder_path = %s AND e.assignment_id IS NULL
            ), pick AS (
                SELECT t.id, t.holder_id, t.holder_path, s.assignment FROM turns t
                LEFT JOIN slots s ON s.county = t.county AND s.turn = t.turn
                WHERE s.assignment IS NOT NULL OR t.holder_path <> %s
            ), pointed AS (
                UPDATE {enterprises} AS e
                SET holder_id = p.holder_id, holder_path = p.holder_path,
                    assignment_id = p.assignment,
                    pushed_at = CASE WHEN p.assignment IS NULL THEN e.pushed_at ELSE %s END,
                    {kept}
                FROM (SELECT * FROM pick ORDER BY id) p WHERE e.id = p.id
            )
            INSERT INTO {entries_table} (assignment_id, enterprise_id,
                                         {", ".join(BLANK_OUTCOME)}, assigned_at)
            SELECT assignment, id, {", ".join(["%s"] * len(BLANK_OUTCOME))}, %s
            FROM pick WHERE assignment IS NOT NULL ORDER BY assignment, id
            ON CONFLICT DO NOTHING""",
            [
                counties,
                [destinations[c].pk for c in counties],
                [destinations[c].path for c in counties],
                [pools.get(c, 0) for c in counties],
                [s[0] for s in slots],
                [s[1] for s in slots],
                [s[2] for s in slots],
                task.pk,
                office.path,
                office.path,
                now,
                *BLANK_OUTCOME.values(),
                *BLANK_OUTCOME.values(),
                now,
            ],
        )
