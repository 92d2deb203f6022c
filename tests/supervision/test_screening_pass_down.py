"""Passing a task down in one go: the enterprises reach the office of their county through a
share at every level and are assigned there in round robin, as delegating level by level and
assigning at each county would; told, audited, and done once however often it is asked."""

from collections import Counter
from datetime import timedelta

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent, Notification, Role
from supervision.screening import assignment as screening_assignment
from supervision.screening import cascade
from supervision.screening import jobs as screening_jobs
from supervision.screening import services as screening
from supervision.screening.models import (
    Assignment,
    AssignmentEntry,
    Delegation,
    ScreeningJob,
    ScreeningTask,
    TaskEnterprise,
)
from tests import factories as f
from tests.supervision.screening_helpers import matrix_banks_only

pytestmark = pytest.mark.django_db

COUNTIES = {"350102": 7, "350121": 3, "440103": 2}


@pytest.fixture
def matrix(matrix):
    return matrix_banks_only(matrix)


def same_list_twice(matrix) -> tuple[ScreeningTask, ScreeningTask]:
    """Two tasks of the General Bureau with the very same enterprises."""
    rows = pl.DataFrame(
        [f.screening_row(county) for county, n in COUNTIES.items() for _ in range(n)]
    )
    head = matrix.users["gb_head"]
    return tuple(  # type: ignore[return-value]
        screening.task_create(
            head,
            matrix.gb,
            title=title,
            deadline=timezone.localdate() + timedelta(days=30),
            enterprises=rows,
        )
        for title in ("level by level", "in one go")
    )


def placed(task: ScreeningTask) -> dict[str, tuple[str, int | None]]:
    """Credit code -> (holding office, branch it is assigned to)."""
    return {
        code: (holder, branch)
        for code, holder, branch in TaskEnterprise.objects.filter(task=task).values_list(
            "credit_code", "holder__code", "assignment__branch"
        )
    }


def shares(task: ScreeningTask) -> set[tuple[str, str | None]]:
    return set(
        Delegation.objects.filter(task=task).values_list("office__code", "parent__office__code")
    )


def test_one_go_places_every_enterprise_as_level_by_level_would(matrix):
    head = matrix.users["gb_head"]
    stepwise, one_go = same_list_twice(matrix)
    for office in (matrix.gb, matrix.p1, matrix.p2, matrix.city1, matrix.city2):
        screening.delegate_by_county(head, stepwise, office)
    for county in (matrix.county_a, matrix.county_b, matrix.county_c):
        screening_assignment.auto_assign(head, stepwise, county)

    result = cascade.pass_down(head, one_go, matrix.gb)

    assert placed(one_go) == placed(stepwise)
    assert shares(one_go) == shares(stepwise)
    assert result.assigned == sum(COUNTIES.values())
    assert {o.code: n for o, n in result.delegated.items()} == {
        "350000": 10,
        "350100": 10,
        "350102": 7,
        "350121": 3,
        "440000": 2,
        "440100": 2,
        "440103": 2,
    }
    assert told(one_go) == told(stepwise) != []
    assert requests(one_go) == requests(stepwise)
    for task in (stepwise, one_go):
        entries = AssignmentEntry.objects.filter(assignment__task=task)
        assert entries.count() == sum(COUNTIES.values())


def told(task: ScreeningTask) -> list[tuple[int, str, int]]:
    """Who was told what of ``task``: (recipient, message, count)."""
    return sorted(
        Notification.objects.filter(params__task=task.title).values_list(
            "recipient", "message", "params__count"
        )
    )


def requests(task: ScreeningTask) -> list[tuple[str, int | None, int]]:
    """Each assignment's result request: (assigning office, branch, enterprises due)."""
    rows = []
    for a in Assignment.objects.filter(task=task).select_related("office", "request"):
        assert a.request is not None and a.request.source_ref == a.source_ref
        assert (a.request.period, a.request.due_date) == (task.period, task.deadline)
        rows.append((a.office.code, a.branch_id, a.enterprises.count()))
    return sorted(rows)


def test_round_robin_is_balanced_within_each_county(matrix):
    head = matrix.users["gb_head"]
    second = f.BranchFactory(institution=matrix.bank_b, office=matrix.county_a)
    task = f.screening_task(head, matrix.gb, COUNTIES)
    cascade.pass_down(head, task, matrix.gb)
    given = Counter(
        TaskEnterprise.objects.filter(task=task, county="350102").values_list(
            "assignment__branch", flat=True
        )
    )
    assert given == {matrix.branch_a1.pk: 4, second.pk: 3}
    # every enterprise went to a branch of its own county's office
    for county, office in TaskEnterprise.objects.filter(task=task).values_list(
        "county", "assignment__branch__office__code"
    ):
        assert office == county


def test_every_office_on_the_way_is_told_and_each_step_audited(matrix):
    officer = f.member(Role.REVIEWER, office=matrix.county_a)
    head = matrix.users["gb_head"]
    task = f.screening_task(head, matrix.gb, COUNTIES)
    cascade.pass_down(head, task, matrix.gb)
    assert task.title in Notification.objects.get(recipient=officer).text
    verbs = Counter(
        AuditEvent.objects.filter(verb__startswith="screening.").values_list("verb", flat=True)
    )
    # one per share passed on (seven offices) and one per bank branch given enterprises
    assert verbs["screening.delegated"] == 7
    assert verbs["screening.assigned"] == 3


def test_asking_again_changes_nothing(matrix):
    head = matrix.users["gb_head"]
    task = f.screening_task(head, matrix.gb, COUNTIES)
    cascade.pass_down(head, task, matrix.gb)
    before = (placed(task), AuditEvent.objects.count(), AssignmentEntry.objects.count())
    again = cascade.pass_down(head, task, matrix.gb)
    assert (again.assigned, again.delegated) == (0, {})
    assert (placed(task), AuditEvent.objects.count(), AssignmentEntry.objects.count()) == before


def test_only_the_holding_office_may_pass_its_share_down(matrix):
    task = f.screening_task(matrix.users["gb_head"], matrix.gb, COUNTIES)
    with pytest.raises(PermissionDenied):
        cascade.pass_down(matrix.users["p1_head"], task, matrix.gb)
    assert set(task.enterprises.values_list("holder", flat=True)) == {matrix.gb.pk}


def test_the_page_passes_a_large_task_down_through_the_worker(matrix, client_for, monkeypatch):
    monkeypatch.setattr(screening_jobs, "SYNC_ENTERPRISES", 0)
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.p1, {"350102": 2, "350121": 1})
    client = client_for(head)
    url = reverse("screening-task", args=[task.pk])
    assert "Delegate to every county and assign" in client.get(url).content.decode()
    page = client.post(url, {"action": "pass_down"}, follow=True)
    assert "Delegating to every county and assigning: in progress." in page.content.decode()
    job = ScreeningJob.objects.get(task=task)
    screening_jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == ScreeningJob.Status.DONE
    assert job.result == {"enterprises": 3, "banks": 2, "unplaced": {}, "offices": 3}
    assert "Assigned 3 enterprises to 2 banks." in client.get(url).content.decode()


def test_without_postgresql_the_same_round_robin_is_planned_in_python(matrix, monkeypatch):
    from django.db import connection

    head = matrix.users["gb_head"]
    in_sql, in_python = same_list_twice(matrix)
    cascade.pass_down(head, in_sql, matrix.gb)
    monkeypatch.setattr(connection, "vendor", "sqlite")  # the commands' own tests run on it
    cascade.pass_down(head, in_python, matrix.gb)
    assert placed(in_python) == placed(in_sql)
    assert requests(in_python) == requests(in_sql)
