"""Enterprise screening tasks, one service per verb: create a task from its enterprise list,
delegate part of it to child offices, assign enterprises to banks (by hand, by county in round
robin, or by existing relationship), assign again what a bank declined, and take in the
banks' results when their SCREENING-RESULT filing is accepted.

Each service runs in one transaction, checks the actor's right through ``portal.scoping``,
writes the audit trail and tells the people concerned. Bulk work is done in SQL (one UPDATE
per office or per bank), so that a task of 200,000 enterprises moves in seconds.
"""

import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from portal import audit, scoping
from portal.models import Branch, Division, Institution, InstitutionKind, Office, Role, User
from portal.notifications import institution_staff, notify, office_staff
from reporting import filings, schedule, synthetic
from reporting.findings import FileRejected, Finding, render_message
from reporting.models import Filing, FilingRow, RequestSource
from reporting.reader import ROW, read_return
from reporting.rules import Context, apply_rules
from reporting.specs import get_spec
from supervision.screening.models import (
    Assignment,
    AssignmentEntry,
    Decision,
    Delegation,
    KeyArea,
    Outcome,
    ScreeningTask,
    TaskEnterprise,
)

LIST_SPEC = get_spec("SCREENING-LIST")
RESULT_SPEC = get_spec("SCREENING-RESULT")
ISSUES_SHOWN = 10
INSERT_BATCH = 5_000
ANALYZE_AFTER = 10_000  # enterprises in a new list
# Columns of the list as TaskEnterprise stores them: spec column key -> field name.
LIST_FIELDS = {
    "credit_code": "credit_code",
    "name": "name",
    "entity_type": "entity_type",
    "size": "size",
    "industry": "industry",
    "county": "county",
    "contact": "contact",
    "phone": "phone",
    "need_amount": "need_amount",
    "need_term": "need_term",
    "purpose": "purpose",
    "status": "list_status",
}
BLANK_OUTCOME = {
    "decision": "",
    "decline_reason": "",
    "credit_amount": None,
    "loan_amount": None,
    "rate": None,
    "first_time": None,
    "contact_date": None,
}


# -- the enterprise list -------------------------------------------------------------------


def reading_language() -> str:
    """'zh' or 'en': the half of the specs' bilingual texts to show."""
    return "en" if (get_language() or "").startswith("en") else "zh"


def decline_reason_label(value: str) -> str:
    return (
        RESULT_SPEC.column("decline_reason").choice_label(value, reading_language())
        if value
        else ""
    )


def _issue_lines(findings: list[Finding]) -> list[str]:
    lang = reading_language()
    lines = []
    for finding in findings:
        example = finding.examples[0] if finding.examples else None
        where = f"{example.cell}: " if example and example.cell else ""
        message = render_message(finding.rule, example, LIST_SPEC, lang)
        lines.append(f"{finding.rule.code} {where}{message} (×{finding.count})")
    return lines[:ISSUES_SHOWN]


def read_list(path: Path) -> pl.DataFrame:
    """The enterprises of a SCREENING-LIST workbook, checked by the spec's own reader and
    rules; a list with any error is refused with its first issues, so nothing half-loads."""
    try:
        table = read_return(path, LIST_SPEC)
    except FileRejected as rejected:
        raise ValidationError(_issue_lines(rejected.findings)) from rejected
    context = Context.defaults()
    context.divisions = frozenset(Division.objects.values_list("code", flat=True))
    errors = [f for f in apply_rules(table, context) if f.rule.blocks]
    if errors:
        raise ValidationError(_issue_lines(errors))
    return table.frame


@contextmanager
def _workbook_of(spec, rows: list[dict]) -> Iterator[Path]:
    """Rows typed in the portal (dicts keyed by the spec's columns) as the spec's own template,
    so that they are read and checked exactly as an uploaded workbook is."""
    frame = pl.DataFrame(
        [
            {k: None if row.get(k) is None else str(row[k]) for k in spec.column_keys}
            for row in rows
        ],
        schema=dict.fromkeys(spec.column_keys, pl.String),
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{spec.code}.xlsx"
        synthetic.write_return(spec, frame, path)
        yield path


def list_from_rows(rows: list[dict]) -> pl.DataFrame:
    """Enterprises entered as rows (keys of SCREENING-LIST), checked as an uploaded list is."""
    if not rows:
        raise ValidationError(_("The list has no enterprises."))
    with _workbook_of(LIST_SPEC, rows) as path:
        return read_list(path)


def _enterprise_frame(task: ScreeningTask, frame: pl.DataFrame) -> pl.DataFrame:
    """The list as TaskEnterprise's columns, every enterprise held by the task's office."""
    return frame.select(
        pl.lit(task.pk).alias("task_id"),
        *(pl.col(key).alias(name) for key, name in LIST_FIELDS.items()),
        pl.lit(task.office_id).alias("holder_id"),
        pl.lit(task.office.path).alias("holder_path"),
    ).with_columns(
        pl.col("need_amount").round(2),
        pl.col("need_term").cast(pl.Int64),
        *(
            pl.col(name).fill_null("")
            for key, name in LIST_FIELDS.items()
            if LIST_SPEC.column(key).type not in ("amount", "count")
        ),
    )


def _insert_enterprises(frame: pl.DataFrame) -> None:
    """COPY on PostgreSQL (200,000 rows in a couple of seconds), batches elsewhere."""
    frame = frame.with_columns(pl.lit("").alias(k) for k in ("decision", "decline_reason"))
    if connection.vendor == "postgresql":
        columns = ", ".join(frame.columns)
        text = [n for n, t in frame.schema.items() if t == pl.String]
        # COPY's text format: backslashes escaped; a tab or newline in a name is a space.
        frame = frame.with_columns(
            pl.col(text)
            .str.replace_all("\\", "\\\\", literal=True)
            .str.replace_all(r"[\t\n\r]", " ")
        )
        sql = f"COPY {TaskEnterprise._meta.db_table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for chunk in frame.iter_slices(50_000):
                copy.write(
                    chunk.write_csv(
                        include_header=False, separator="\t", quote_style="never", null_value="\\N"
                    )
                )
        return
    for batch in frame.iter_slices(INSERT_BATCH):
        TaskEnterprise.objects.bulk_create(
            TaskEnterprise(**row) for row in batch.iter_rows(named=True)
        )


# -- tasks ---------------------------------------------------------------------------------


def _require_office(user, office: Office, role: str = Role.REVIEWER) -> None:
    if not scoping.may_act(user, office, role):
        raise PermissionDenied


def task_url(task: ScreeningTask) -> str:
    return reverse("screening-task", args=[task.pk])


def _check_task(title: str, deadline: date, key_areas: Iterable[str]) -> None:
    if not title.strip():
        raise ValidationError(_("Give the task a title."))
    if deadline < timezone.localdate():
        raise ValidationError(_("The deadline has passed already."))
    unknown = sorted(set(key_areas) - set(KeyArea.values))
    if unknown:
        raise ValidationError(_("Unknown key areas: %(areas)s") % {"areas": ", ".join(unknown)})


def _new_task(user, office: Office, title: str, deadline: date, purpose: str, key_areas):
    task = ScreeningTask.objects.create(
        title=title.strip(),
        purpose=purpose.strip(),
        key_areas=list(key_areas),
        deadline=deadline,
        office=office,
        created_by=user,
    )
    Delegation.objects.create(task=task, office=office, office_path=office.path, created_by=user)
    return task


def _store_list(user, task: ScreeningTask, enterprises: pl.DataFrame) -> None:
    """The checked list's enterprises, all held by the task's office."""
    if enterprises.height == 0:
        raise ValidationError(_("The list has no enterprises."))
    _insert_enterprises(_enterprise_frame(task, enterprises.drop(ROW, strict=False)))
    if connection.vendor == "postgresql" and enterprises.height >= ANALYZE_AFTER:
        # The planner's row counts would lag until autovacuum: a list of this size changes
        # the best plans for the pages that follow.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TaskEnterprise._meta.db_table}")
    ScreeningTask.objects.filter(pk=task.pk).update(enterprise_count=enterprises.height)
    task.enterprise_count = enterprises.height
    audit.record(
        user,
        "screening.task_created",
        task,
        {"enterprises": enterprises.height, "deadline": task.deadline.isoformat()},
    )


def task_create(
    user: User,
    office: Office,
    *,
    title: str,
    deadline: date,
    enterprises: pl.DataFrame,
    purpose: str = "",
    key_areas: Iterable[str] = (),
) -> ScreeningTask:
    """A task of ``office`` with its checked enterprise list (``read_list``), all held by the
    office until it delegates or assigns them."""
    _require_office(user, office)
    _check_task(title, deadline, key_areas)
    with transaction.atomic():
        task = _new_task(user, office, title, deadline, purpose, key_areas)
        _store_list(user, task, enterprises)
    return task


def task_open(
    user: User,
    office: Office,
    *,
    title: str,
    deadline: date,
    workbook: File,
    purpose: str = "",
    key_areas: Iterable[str] = (),
) -> ScreeningTask:
    """A task whose list workbook is too large to read in a page: stored with the task, and
    read by a worker (``load_list``); the task has no enterprises until then."""
    _require_office(user, office)
    _check_task(title, deadline, key_areas)
    with transaction.atomic():
        task = _new_task(user, office, title, deadline, purpose, key_areas)
        task.list_file.save(f"{LIST_SPEC.code}-{task.pk}.xlsx", workbook, save=True)
    return task


def load_list(user: User, task: ScreeningTask) -> int:
    """Read the stored list of a task opened with ``task_open``; all or nothing."""
    if task.enterprises.exists():
        return task.enterprise_count
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "list.xlsx"
        with task.list_file.open("rb") as source, path.open("wb") as copy:
            for chunk in source.chunks():
                copy.write(chunk)
        enterprises = read_list(path)
    with transaction.atomic():
        _store_list(user, task, enterprises)
    return task.enterprise_count


# -- delegation ----------------------------------------------------------------------------


def _share(task: ScreeningTask, office: Office) -> Delegation:
    share = Delegation.objects.filter(task=task, office=office).first()
    if share is None:
        raise ValidationError(_("This office holds no part of the task."))
    return share


def held(task: ScreeningTask, office: Office) -> QuerySet:
    """The enterprises ``office`` holds itself and has not given to a bank."""
    return TaskEnterprise.objects.filter(
        task=task, holder_path=office.path, assignment__isnull=True
    )


def _covered_counties(office: Office) -> QuerySet:
    """The division codes of ``office``'s subtree (its own and its offices')."""
    return Division.objects.filter(office__path__startswith=office.path).values("code")


def _selected(qs: QuerySet, counties: Iterable[str] | None, credit_codes: Iterable[str] | None):
    if counties:
        qs = qs.filter(county__in=list(counties))
    if credit_codes:
        qs = qs.filter(credit_code__in=[c.strip().upper() for c in credit_codes])
    return qs


def delegate(
    user: User,
    task: ScreeningTask,
    office: Office,
    child: Office,
    *,
    counties: Iterable[str] | None = None,
    credit_codes: Iterable[str] | None = None,
) -> int:
    """Give ``child`` (a child office) the enterprises ``office`` holds in the chosen counties
    or with the chosen codes (all it holds in the child's area when neither is given)."""
    _require_office(user, office)
    if Office.objects.get_parent(child) != office:
        raise ValidationError(_("A task is delegated to a child office only."))
    with transaction.atomic():
        share = _share(task, office)
        moving = _selected(held(task, office), counties, credit_codes)
        if not counties and not credit_codes:
            moving = moving.filter(county__in=_covered_counties(child))
        moved = _move(user, task, share, child, moving)
    return moved


def delegate_by_county(user: User, task: ScreeningTask, office: Office) -> dict[Office, int]:
    """Give each child office the enterprises ``office`` holds in the counties it covers."""
    _require_office(user, office)
    moved = {}
    with transaction.atomic():
        share = _share(task, office)
        for child in Office.objects.get_children(office):
            count = _move(
                user,
                task,
                share,
                child,
                held(task, office).filter(county__in=_covered_counties(child)),
            )
            if count:
                moved[child] = count
    return moved


def _move(user, task: ScreeningTask, share: Delegation, child: Office, moving: QuerySet) -> int:
    count = moving.update(holder=child, holder_path=child.path)
    if not count:
        return 0
    Delegation.objects.get_or_create(
        task=task,
        office=child,
        defaults={"office_path": child.path, "parent": share, "created_by": user},
    )
    audit.record(
        user,
        "screening.delegated",
        task,
        {"from": share.office.code, "to": child.code, "enterprises": count},
        office=child,
    )
    notify(
        office_staff(child),
        message=gettext_noop(
            "Screening task %(task)s: %(count)s enterprises delegated to your office, due %(due)s"
        ),
        params={"task": task.title, "count": count, "due": task.deadline.isoformat()},
        url=task_url(task),
        target=task,
    )
    return count


# -- assignment to banks -------------------------------------------------------------------


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
    _require_office(user, office)
    if not _filer_in_subtree(office, institution, branch):
        raise ValidationError(_("Assign only to banks and branches your office supervises."))
    if not counties and not credit_codes:
        raise ValidationError(_("Choose the counties or the enterprises to assign."))
    with transaction.atomic():
        _share(task, office)
        chosen = _selected(
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
) -> tuple[dict[tuple[int, int], list[int]], dict[str, int]]:
    """Who gets which enterprise: (id, county, credit code) in round robin per county over its
    candidates, a preferred institution first, never an excluded one (per enterprise id)."""
    plan, unplaced = defaultdict(list), defaultdict(int)
    turn = defaultdict(int)
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
    _require_office(user, office)
    if rule not in (Assignment.Rule.ROUND_ROBIN, Assignment.Rule.RELATIONSHIP):
        raise ValidationError(_("Unknown assignment rule."))
    with transaction.atomic():
        _share(task, office)
        holding = held(task, office)
        rows = list(
            holding.order_by("county", "credit_code").values_list("pk", "county", "credit_code")
        )
        candidates = _candidates(office, {county for _, county, _ in rows})
        preferred = _relationships(task, holding) if rule == Assignment.Rule.RELATIONSHIP else None
        plan, unplaced = _plan(rows, candidates, preferred=preferred)
        result = _give(user, task, office, plan, rule)
        result.unplaced = unplaced
    return result


def reassign_declined(user: User, task: ScreeningTask, office: Office) -> AssignmentResult:
    """Give the enterprises a bank declined, among those ``office`` assigned, to another bank
    in their county that has not been asked about them yet (round robin)."""
    _require_office(user, office)
    with transaction.atomic():
        _share(task, office)
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
    result, given = AssignmentResult(), {}
    for (institution_id, branch_id), ids in plan.items():
        if not ids:
            continue
        assignment = _assignment_for(user, task, office, institution_id, branch_id)
        given[assignment.pk] = ids
        result.given[assignment] = len(ids)
        audit.record(
            user, "screening.assigned", assignment, {"enterprises": len(ids), "rule": rule}
        )
        notify(
            institution_staff(assignment.institution, assignment.branch),
            message=gettext_noop(
                "Screening task %(task)s: %(count)s enterprises assigned to you, "
                "results due %(due)s"
            ),
            params={"task": task.title, "count": len(ids), "due": task.deadline.isoformat()},
            url=reverse("request-detail", args=[assignment.request_id]),
            target=assignment,
        )
    _point(given)
    return result


def _point(given: dict[int, list[int]]) -> None:
    """Point each enterprise at its new assignment (assignment id -> enterprise ids), its
    answer cleared, and add the history entries (kept if the bank was asked before).

    On PostgreSQL two statements over the whole plan, from arrays; elsewhere in batches."""
    if connection.vendor == "postgresql":
        enterprise_ids = [pk for ids in given.values() for pk in ids]
        assignment_ids = [a for a, ids in given.items() for _ in ids]
        pairs = "unnest(%s::bigint[], %s::bigint[]) AS m(enterprise, assignment)"
        blank = ", ".join(f"{name} = %s" for name in BLANK_OUTCOME)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {TaskEnterprise._meta.db_table} AS t SET assignment_id = m.assignment, "
                f"{blank} FROM {pairs} WHERE t.id = m.enterprise",
                [*BLANK_OUTCOME.values(), enterprise_ids, assignment_ids],
            )
            cursor.execute(
                f"INSERT INTO {AssignmentEntry._meta.db_table} (assignment_id, enterprise_id, "
                f"{', '.join(BLANK_OUTCOME)}, assigned_at) SELECT m.assignment, m.enterprise, "
                f"{', '.join(['%s'] * len(BLANK_OUTCOME))}, %s FROM {pairs} ON CONFLICT DO NOTHING",
                [*BLANK_OUTCOME.values(), timezone.now(), enterprise_ids, assignment_ids],
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
                assignment_id=assignment_id, **BLANK_OUTCOME
            )


# -- results -------------------------------------------------------------------------------


def assignment_context(return_request) -> dict:
    """SCREENING-RESULT's rule parameters for a request: the credit codes the bank was given
    (and still holds) and the day they were pushed to it."""
    assignment = Assignment.objects.filter(request=return_request).first()
    if assignment is None:
        return {}
    codes = assignment.enterprises.values_list("credit_code", flat=True)
    return {"assigned": set(codes), "pushed_on": timezone.localdate(assignment.created_at)}


def results_workbook(assignment: Assignment) -> bytes:
    """The SCREENING-RESULT template with the credit codes of the assignment's enterprises
    filled in, for the bank to complete offline and upload."""
    codes = assignment.enterprises.order_by("credit_code").values_list("credit_code", flat=True)
    with _workbook_of(RESULT_SPEC, [{"credit_code": code} for code in codes]) as path:
        return path.read_bytes()


def results_file(user: User, assignment: Assignment, rows: list[dict]) -> Filing:
    """A bank's answers typed into the portal for a handful of enterprises (rows keyed by
    SCREENING-RESULT's columns), filed as that return's workbook: validated, signed and
    accepted like an upload."""
    if not rows:
        raise ValidationError(_("Answer at least one enterprise."))
    with _workbook_of(RESULT_SPEC, rows) as path, path.open("rb") as handle:
        return filings.filing_upload(
            user, assignment.request, File(handle), name=f"{RESULT_SPEC.code}-{assignment.pk}.xlsx"
        )


def _bulk_set(model, rows: list, fields: list[str]) -> None:
    """``bulk_update``, as one UPDATE from arrays on PostgreSQL: Django's CASE per row takes
    minutes for the tens of thousands of answers a large bank files at once."""
    if connection.vendor != "postgresql":
        model.objects.bulk_update(rows, fields, batch_size=1000)
        return
    if not rows:
        return
    columns = [model._meta.get_field(name) for name in fields]
    names = ["id", *(c.column for c in columns)]
    types = ["bigint", *(c.db_type(connection) for c in columns)]
    arrays = [[row.pk for row in rows], *([getattr(r, c.attname) for r in rows] for c in columns)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {model._meta.db_table} AS t SET "
            f"{', '.join(f'{n} = v.{n}' for n in names[1:])} "
            f"FROM unnest({', '.join(f'%s::{t}[]' for t in types)}) AS v({', '.join(names)}) "
            "WHERE t.id = v.id",
            arrays,
        )


def record_results(filing_id: int) -> int:
    """Take in an accepted SCREENING-RESULT filing: each entry of its assignment gets the bank's
    answer (blank when the filing leaves it out), and so does each enterprise the assignment
    still holds. Safe to run twice; returns the rows taken in."""
    filing = Filing.objects.filter(
        pk=filing_id, is_current=True, spec_code=RESULT_SPEC.code
    ).first()
    assignment = filing and Assignment.objects.filter(request_id=filing.request_id).first()
    if assignment is None:
        return 0
    spec = get_spec(filing.spec_code, filing.spec_version)
    with transaction.atomic():
        Assignment.objects.select_for_update().get(pk=assignment.pk)
        entries = {
            code: (pk, enterprise_id, current == assignment.pk)
            for code, pk, enterprise_id, current in assignment.entries.values_list(
                "enterprise__credit_code", "pk", "enterprise_id", "enterprise__assignment_id"
            )
        }
        assignment.entries.update(filing=None, **BLANK_OUTCOME)
        TaskEnterprise.objects.filter(assignment=assignment).update(**BLANK_OUTCOME)
        answered, current = [], []
        for row in FilingRow.objects.filter(filing=filing).iterator(chunk_size=INSERT_BATCH):
            values = row.values(spec)
            found = entries.get(values["credit_code"])
            if found is None:
                continue
            outcome = {
                name: BLANK_OUTCOME[name] if values[name] is None else values[name]
                for name in Outcome.OUTCOME_FIELDS
            }
            entry_pk, enterprise_pk, is_current = found
            answered.append(AssignmentEntry(pk=entry_pk, filing=filing, **outcome))
            if is_current:
                current.append(TaskEnterprise(pk=enterprise_pk, **outcome))
        fields = list(Outcome.OUTCOME_FIELDS)
        _bulk_set(AssignmentEntry, answered, [*fields, "filing"])
        _bulk_set(TaskEnterprise, current, fields)
        audit.record(
            None,
            "screening.results_recorded",
            assignment,
            {"filing": filing.pk, "rows": len(answered)},
        )
        declined = sum(1 for e in current if e.decision == Decision.DECLINED)
        if declined:
            notify(
                office_staff(assignment.office, Role.REVIEWER),
                message=gettext_noop(
                    "Screening task %(task)s: %(bank)s declined %(count)s enterprises; "
                    "assign them again"
                ),
                params={
                    "task": assignment.task.title,
                    "bank": assignment.filer_name,
                    "count": declined,
                },
                url=task_url(assignment.task),
                target=assignment.task,
            )
    return len(answered)
