"""The screening benchmark: a task of many enterprises (200,000 by default) over a province's
counties, read from its workbook, created, delegated down to the counties, assigned to the
banks in each county, answered, rolled up at every level, and its pages rendered; each step
timed. The bench's own task and requests are removed at the end unless kept."""

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Mod
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal import demo as portal_demo
from portal import floors
from portal.models import Division, Membership, Office, OfficeLevel, Role, User
from reporting import synthetic
from reporting.models import ReturnRequest
from supervision.screening import assignment as screening_assignment
from supervision.screening import cascade, outcomes, rollup
from supervision.screening import lists as screening_lists
from supervision.screening import services as screening
from supervision.screening.models import (
    Assignment,
    AssignmentEntry,
    Decision,
    Delegation,
    EnterpriseCount,
    ScreeningJob,
    ScreeningTask,
    TaskEnterprise,
)

BENCH_EMAIL = "bench.screening@bench.portal"
BENCH_TITLE = "bench_screening"


@dataclass
class Timings:
    lines: list[tuple[str, float]] = field(default_factory=list)

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.lines.append((label, time.perf_counter() - start))


def province_counties(province: Office) -> list[str]:
    """County-level division codes in the province (a prefecture's own code ends in 00)."""
    return sorted(
        code
        for code in Division.objects.filter(office__path__startswith=province.path).values_list(
            "code", flat=True
        )
        if not code.endswith("00")
    )


def bench_user(province: Office) -> User:
    """A reviewer of the province (a head would be asked for a second factor)."""
    user, _ = User.objects.get_or_create(email=BENCH_EMAIL, defaults={"full_name": "bench"})
    Membership.objects.filter(user=user).delete()
    Membership.objects.create(user=user, role=Role.REVIEWER, office=province)
    return user


def province_of(code: str) -> Office:
    """The province to bench in; the demo's Fujian is loaded when asked for and missing."""
    office = Office.objects.filter(code=code, level=OfficeLevel.PROVINCIAL).first()
    if office is None and code == "350000":
        portal_demo.load_demo()
        office = Office.objects.get(code=code)
    if office is None:
        raise ValueError(f"no provincial bureau {code}: run seed_demo or seed_national first")
    return office


def read_list(rows: int, counties: list[str], timings: Timings):
    frame = synthetic.synthetic_frame(
        screening_lists.LIST_SPEC, rows, seed=int(time.time()) % 997, counties=tuple(counties)
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "list.xlsx"
        synthetic.write_return(screening_lists.LIST_SPEC, frame, path)
        with timings.step(f"read and check the list workbook ({path.stat().st_size >> 20} MiB)"):
            return screening_lists.read_list(path)


def pass_down(user: User, task: ScreeningTask) -> tuple[int, int]:
    """Delegate down to the counties and assign every county's enterprises in round robin,
    as the task's office does in one go (``cascade.pass_down``); returns (offices that
    assigned, assignments)."""
    result = cascade.pass_down(user, task, task.office)
    return len({a.office_id for a in result.given}), len(result.given)


def assignment_floor(task: ScreeningTask) -> floors.Floor:
    """One INSERT ... SELECT of an assignment entry per enterprise of the task into a scratch
    table: the least any delegation and assignment of them must write."""
    columns = "assignment_id bigint, enterprise_id bigint, assigned_at timestamp"
    with floors.scratch_table("bench_screening_floor", columns) as table:

        def work() -> None:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {table} SELECT assignment_id, id, CURRENT_TIMESTAMP "
                    f"FROM {TaskEnterprise._meta.db_table} WHERE task_id = %s",
                    [task.pk],
                )

        return floors.measure("one INSERT ... SELECT of the assignments", work)


def answer(task: ScreeningTask) -> None:
    """Answers as the result filings would give them: a fifth granted, a fifth declined, a
    fifth with no need (written directly: the bench measures screening, not the pipeline),
    pushed 30 days ago and first contacted 5, 10 and 20 days later."""
    screening_assignment.date_push(
        TaskEnterprise.objects.filter(task=task), timezone.now() - timedelta(days=30)
    )
    enterprises = TaskEnterprise.objects.filter(task=task).annotate(m=Mod(F("id"), 5))
    today = timezone.localdate()
    for m, days in ((0, 5), (1, 10), (2, 20)):
        enterprises.filter(m=m).update(contact_date=today - timedelta(days=30 - days))
    enterprises.filter(m=0).update(
        decision=Decision.GRANTED,
        credit_amount=120,
        loan_amount=100,
        rate=3.45,
        first_time=True,
    )
    enterprises.filter(m=1).update(decision=Decision.DECLINED, decline_reason="over_indebted")
    enterprises.filter(m=2).update(decision=Decision.NO_NEED)


def render_pages(user: User, task: ScreeningTask, timings: Timings) -> None:
    client = Client()
    client.force_login(user)
    holder = TaskEnterprise.objects.filter(task=task).values_list("holder", flat=True).first()
    assert holder is not None, "the task holds the enterprises passed down (pass_down)"
    county = Office.objects.get(pk=holder)
    sub_bureau = Office.objects.get(path=county.path[: len(task.office.path) + Office.steplen])
    assignment = Assignment.objects.filter(task=task).first()
    assert assignment is not None, "pass_down assigned the enterprises"
    code = TaskEnterprise.objects.filter(task=task).values_list("credit_code", flat=True).last()
    pages: list[tuple[str, str]] = [
        ("task list", reverse("screening-tasks")),
        ("task page, province", reverse("screening-task", args=[task.pk])),
        (
            "task page, page 1000 of enterprises",
            f"{reverse('screening-task', args=[task.pk])}?page=1000",
        ),
        ("task page, granted only", f"{reverse('screening-task', args=[task.pk])}?state=granted"),
        (
            "task page, sub-bureau",
            f"{reverse('screening-task', args=[task.pk])}?office={sub_bureau.code}",
        ),
        ("task page, county", f"{reverse('screening-task', args=[task.pk])}?office={county.code}"),
        ("assignment page", reverse("screening-assignment", args=[assignment.pk])),
        ("enterprise history", reverse("screening-enterprise", args=[code])),
        ("overdue list", reverse("screening-overdue")),
        ("across tasks, per bank", f"{reverse('screening-across')}?by=bank"),
        ("across tasks, per office", f"{reverse('screening-across')}?by=office"),
        ("across tasks, per task", f"{reverse('screening-across')}?by=task"),
    ]
    for label, url in pages:
        client.get(url)  # the first render warms the template cache
        with timings.step(f"page: {label}"):
            response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")


def say_outcomes(task: ScreeningTask, say: Callable[[str], None]) -> None:
    """The time-to-contact figures per assigning office, as the page across tasks shows them."""
    measures = outcomes.timings(TaskEnterprise.objects.filter(task=task), "office")
    names = dict(Office.objects.filter(pk__in=[m.key for m in measures]).values_list("pk", "code"))
    say("  days from push to first contact (office: pushed, contacted, median, bands):")
    for m in [*measures, outcomes.overall(measures)]:
        bands = " ".join(f"{label}:{n}" for label, n in m.to_contact.distribution())
        label = "total" if m.key is None else names.get(m.key, str(m.key))
        say(f"    {label}: {m.pushed}, {m.to_contact.count}, {m.to_contact.median}, {bands}")


def agreement(kept: rollup.Rollup, scanned: rollup.Rollup) -> str:
    """Whether the kept counts' roll-up says what a scan of the enterprises says."""
    same = [(r.office, r.as_dict()) for r in kept.rows] == [
        (r.office, r.as_dict()) for r in scanned.rows
    ] and kept.declined_by_reason == scanned.declined_by_reason
    rows = len(scanned.rows)
    return f"the kept counts and the aggregate {'agree' if same else 'DIFFER'} ({rows} rows)"


def roll_up_everywhere(task: ScreeningTask) -> int:
    """The roll-up at the task's office and at every office with a share, from the kept counts
    as the task page reads them; returns how many."""
    shares = Delegation.objects.filter(task=task).select_related("office")
    for share in shares:
        rollup.kept(task, share.office)  # as the task page reads it
    return len(shares)


def remove(task: ScreeningTask) -> None:
    """The bench task and its rows, by plain DELETEs (the ORM would load 200,000 objects)."""
    with transaction.atomic(), connection.cursor() as cursor:
        requests = list(Assignment.objects.filter(task=task).values_list("request_id", flat=True))
        for model, column in (
            # The counts first: the enterprises' DELETE then has no group left to lower.
            (EnterpriseCount, "task_id = %s"),
            (AssignmentEntry, "assignment_id IN (SELECT id FROM {a} WHERE task_id = %s)"),
            (TaskEnterprise, "task_id = %s"),
            (Assignment, "task_id = %s"),
            (Delegation, "task_id = %s"),
            (ScreeningJob, "task_id = %s"),
            (ScreeningTask, "id = %s"),
        ):
            where = column.format(a=Assignment._meta.db_table)
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {where}", [task.pk])
        ReturnRequest.objects.filter(pk__in=requests).delete()


def run(rows: int, province_code: str, keep: bool, say: Callable[[str], None]) -> Timings:
    province = province_of(province_code)
    counties = province_counties(province)
    user = bench_user(province)
    for leftover in ScreeningTask.objects.filter(title=BENCH_TITLE, created_by=user):
        remove(leftover)
    timings = Timings()
    say(
        f"bench_screening: {rows:,} enterprises in {len(counties)} counties of "
        f"{province.name_zh} ({province.code}) on {connection.vendor}"
    )
    enterprises = read_list(rows, counties, timings)
    with timings.step("create the task (store the enterprises)"):
        task = screening.task_create(
            user,
            province,
            title=BENCH_TITLE,
            deadline=timezone.localdate() + timedelta(days=30),
            enterprises=enterprises,
        )
    with timings.step("delegate to every county and assign in round robin"):
        offices, assignments = pass_down(user, task)
    say(f"  {offices} offices assigned to {assignments} banks and branches")
    say("  " + floors.line(*timings.lines[-1], assignment_floor(task)))
    answer(task)
    with (
        timings.step("ANALYZE (what autovacuum does soon after such a change)"),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"ANALYZE {TaskEnterprise._meta.db_table}")
    with timings.step("roll up at the province (kept counts)"):
        kept = rollup.kept(task, province)
    with timings.step("roll up at the province (one aggregate over the enterprises)"):
        scanned = rollup.rollup(TaskEnterprise.objects.filter(task=task), province)
    say("  " + agreement(kept, scanned))
    with timings.step("roll up at every office with a share"):
        shares = roll_up_everywhere(task)
    say(f"  {shares} offices hold a share of the task")
    render_pages(user, task, timings)
    say_outcomes(task, say)
    if not keep:
        with timings.step("remove the bench task"):
            remove(task)
    return timings
