"""The screening demo: every state of the part, and loading it twice changes nothing."""

import pytest
from django.utils import timezone

from portal import demo as portal_demo
from supervision.screening import deadlines as screening_deadlines
from supervision.screening import demo as screening_demo
from supervision.screening.models import Assignment, AssignmentEntry, ScreeningTask
from supervision.screening.visits.models import Visit

pytestmark = pytest.mark.django_db


def test_the_demo_shows_a_task_in_every_state_and_loads_once():
    portal_demo.load_demo()
    screening_demo.load_demo()
    screening_demo.load_demo()
    fuzhou = ScreeningTask.objects.get(title=screening_demo.FUZHOU_TASK)
    holders = {(e.holder.code, e.assignment_id is None) for e in fuzhou.enterprises.all()}
    # Gulou and Minhou assigned theirs; Fuqing holds its share unassigned.
    assert holders == {("350102", False), ("350121", False), ("350181", True)}
    answers = set(AssignmentEntry.objects.exclude(decision="").values_list("decision", flat=True))
    # Jinjiang's task force could not reach one enterprise of the Quanzhou task.
    assert answers == {"granted", "declined", "pending", "no_need", "unreachable"}
    late = screening_deadlines.overdue(Assignment.objects.all(), timezone.localdate())
    assert set(late.values_list("task__title", flat=True)) == {screening_demo.QUANZHOU_TASK}
    assert ScreeningTask.objects.count() == 2
    # Four visits: ICBC Gulou's three (a loan granted, next steps due and overdue), Jinjiang's.
    assert Visit.objects.count() == 4
    granted = Visit.objects.get(decision="granted")
    assert granted.enterprise.decision == "granted" and granted.loan_date is not None
    today = timezone.localdate()
    steps = Visit.objects.exclude(next_step_on=None).values_list("next_step_on", flat=True)
    assert any(day < today for day in steps) and any(day > today for day in steps)
