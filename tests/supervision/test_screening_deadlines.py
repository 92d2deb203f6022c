"""Deadlines of screening assignments in frozen time: reminders before the due date, overdue
notices after it (each once, however often beat sweeps), and overdue work as a cause for
escalation."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from portal.models import Notification, Role
from supervision import causes
from supervision.screening import assignment as screening_assignment
from supervision.screening import deadlines as screening_deadlines
from supervision.screening.models import Assignment
from tests import factories as f
from tests.supervision.screening_helpers import answer, matrix_banks_only, result_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def matrix(matrix):
    return matrix_banks_only(matrix)


@pytest.fixture
def assigned(matrix):
    """A county_a task due in ten days, assigned to branch_a1, whose preparer and the county's
    reviewer are the people told."""
    head = matrix.users["p1_head"]
    task = f.screening_task(
        head, matrix.county_a, {"350102": 2}, deadline=timezone.localdate() + timedelta(days=10)
    )
    screening_assignment.auto_assign(head, task, matrix.county_a)
    reviewer = f.member(Role.REVIEWER, office=matrix.county_a)
    return Assignment.objects.get(task=task), matrix.users["branch_a1"], reviewer


def notes(user, word: str) -> int:
    return Notification.objects.filter(recipient=user, message__contains=word).count()


def test_the_bank_is_reminded_once_in_the_days_before_the_due_date(assigned):
    assignment, preparer, _ = assigned
    now = timezone.now()
    assert screening_deadlines.sweep(now + timedelta(days=6)) == (0, 0)
    with time_machine.travel(now + timedelta(days=8)):
        assert screening_deadlines.sweep() == (1, 0)
        assert screening_deadlines.sweep() == (0, 0)
    assert notes(preparer, "are due on") == 1
    assignment.refresh_from_db()
    assert assignment.reminded_at is not None


def test_filed_results_need_no_reminder(assigned, matrix, tmp_path):
    assignment = assigned[0]
    codes = assignment.enterprises.values_list("credit_code", flat=True)
    answer(assignment, [result_row(c) for c in codes], tmp_path, matrix.users["p1_head"])
    assert screening_deadlines.sweep(timezone.now() + timedelta(days=8)) == (0, 0)
    assert screening_deadlines.sweep(timezone.now() + timedelta(days=20)) == (0, 0)


def test_overdue_work_is_told_once_and_raised_as_a_cause(
    assigned, django_capture_on_commit_callbacks
):
    assignment, preparer, reviewer = assigned
    found = []

    def receive(sender, causes, **kwargs):
        found.extend(causes)

    causes.cause_found.connect(receive)
    try:
        with time_machine.travel(timezone.now() + timedelta(days=13)):
            with django_capture_on_commit_callbacks(execute=True):
                assert screening_deadlines.sweep() == (0, 1)
            assert screening_deadlines.sweep() == (0, 0)
            current = causes.current("screening-overdue", timezone.now())
    finally:
        causes.cause_found.disconnect(receive)
    assert notes(preparer, "were due on") == 1 and notes(reviewer, "were due on") == 1
    assert [c.key for c in found] == [f"screening-assignment:{assignment.pk}"]
    cause = current[0]
    assert (cause.kind, cause.key, cause.measure) == (
        "screening-overdue",
        f"screening-assignment:{assignment.pk}",
        Decimal(3),
    )
    assert (cause.institution_id, cause.branch_id, cause.office_id) == (
        assignment.institution_id,
        assignment.branch_id,
        assignment.office_id,
    )
    assert cause.evidence_url == f"/screening/assignments/{assignment.pk}/"


def test_nothing_is_a_cause_before_the_due_date(assigned):
    assert causes.current("screening-overdue", timezone.now() + timedelta(days=10)) == []
