"""The escalation timers with frozen time: an unacted case climbs county -> sub-bureau ->
province -> General Bureau as each deadline passes, stops once acknowledged, and two sweeps at
once move it once."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from portal.models import Notification, Role
from supervision.escalation import climbing, raising
from supervision.escalation import services as escalation
from supervision.escalation.models import Case, CaseStatus, EventVerb
from tests import factories as f

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def staff(matrix):
    """A reviewer at each office on the way up from county A (county A has its viewer)."""
    return {
        "county": matrix.users["county_a"],
        "city": f.member(Role.REVIEWER, office=matrix.city1),
        "province": matrix.users["p1_head"],
        "general": matrix.users["gb_head"],
    }


@pytest.fixture
def branch(matrix):
    bank = f.InstitutionFactory(name_zh="升级测试银行", office=matrix.p1)
    return f.BranchFactory(institution=bank, office=matrix.county_a, name_zh="升级测试支行")


def _raise(branch) -> Case:
    return raising.escalation_raise(f.cause(branch.institution, branch=branch, measure=4))


def _inbox(user, case: Case) -> list[str]:
    """What ``user`` was told about ``case``."""
    notes = Notification.objects.filter(
        recipient=user, object_type="supervision.Case", object_id=str(case.pk)
    )
    return [n.message for n in notes]


def test_an_unacted_case_climbs_one_level_per_deadline_to_the_general_bureau(
    matrix, staff, branch, time_machine
):
    time_machine.move_to(START, tick=False)
    case = _raise(branch)
    # The default low-grade rule: 30 days at a county office, 20 at a sub-bureau, 15 above.
    assert case.office == matrix.county_a and case.deadline == START + timedelta(days=30)
    assert len(_inbox(staff["county"], case)) == 1

    time_machine.move_to(START + timedelta(days=29), tick=False)
    climbing.sweep()
    case.refresh_from_db()
    assert case.office == matrix.county_a

    moments = []
    for days, office, level in (
        (30, matrix.city1, 3),
        (50, matrix.p1, 2),
        (65, matrix.gb, 1),
    ):
        moment = START + timedelta(days=days, minutes=5)
        time_machine.move_to(moment, tick=False)
        climbing.sweep()
        case.refresh_from_db()
        assert (case.office, case.level, case.status) == (office, level, CaseStatus.OPEN)
        moments.append(moment)
    assert case.escalations == 3
    assert case.deadline == moments[-1] + timedelta(days=15)

    # The General Bureau has nowhere to send it: it stays, overdue, on the top desk.
    time_machine.move_to(START + timedelta(days=200), tick=False)
    climbing.sweep()
    case.refresh_from_db()
    assert case.office == matrix.gb

    climbs = case.events.filter(verb=EventVerb.CLIMBED).order_by("at")
    assert [(e.office, e.to_office) for e in climbs] == [
        (matrix.county_a, matrix.city1),
        (matrix.city1, matrix.p1),
        (matrix.p1, matrix.gb),
    ]
    # Both offices hear of each move: the one it left and the one it reached.
    assert len(_inbox(staff["county"], case)) == 2
    assert len(_inbox(staff["city"], case)) == 2
    assert len(_inbox(staff["province"], case)) == 2
    assert len(_inbox(staff["general"], case)) == 1


def test_an_acknowledged_case_stops_climbing(matrix, staff, branch, time_machine):
    time_machine.move_to(START, tick=False)
    case = _raise(branch)
    time_machine.move_to(START + timedelta(days=31), tick=False)
    climbing.sweep()
    case.refresh_from_db()
    assert case.office == matrix.city1

    escalation.case_acknowledge(staff["city"], case)
    time_machine.move_to(START + timedelta(days=400), tick=False)
    climbing.sweep()
    case.refresh_from_db()
    assert (case.office, case.status) == (matrix.city1, CaseStatus.ACKNOWLEDGED)


def test_a_county_viewer_cannot_acknowledge_but_a_reviewer_above_can(matrix, staff, branch):
    case = _raise(branch)
    with pytest.raises(PermissionDenied):
        escalation.case_acknowledge(staff["county"], case)
    escalation.case_acknowledge(staff["province"], case)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACKNOWLEDGED


def test_a_sweep_run_twice_moves_a_case_once(matrix, staff, branch, time_machine):
    time_machine.move_to(START, tick=False)
    case = _raise(branch)
    time_machine.move_to(START + timedelta(days=31), tick=False)
    climbing.sweep()
    climbing.sweep()
    case.refresh_from_db()
    assert case.office == matrix.city1 and case.escalations == 1
    assert len(_inbox(staff["city"], case)) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_once(matrix, staff, branch, monkeypatch):
    case = _raise(branch)
    # Due before the matrix's own cases, so that it is the one case either sweep could move.
    Case.objects.filter(pk=case.pk).update(deadline=START)
    now = START + timedelta(minutes=1)
    # The first sweep holds the case (moved, not yet committed) until the second has run.
    first_holds, second_done = threading.Event(), threading.Event()
    move = climbing._move

    def move_then_wait(*args, **kwargs) -> None:
        move(*args, **kwargs)
        if threading.current_thread().name == "first":
            first_holds.set()
            second_done.wait(10)

    monkeypatch.setattr(climbing, "_move", move_then_wait)
    results = {}

    def sweep(name: str) -> None:
        try:
            results[name] = climbing.climb_overdue(now)
        finally:
            if name == "second":
                second_done.set()
            connection.close()

    first = threading.Thread(target=sweep, args=("first",), name="first")
    first.start()
    assert first_holds.wait(10)
    second = threading.Thread(target=sweep, args=("second",), name="second")
    second.start()
    second.join(15)
    first.join(15)

    assert results == {"first": 1, "second": 0}
    case.refresh_from_db()
    assert case.office == matrix.city1 and case.escalations == 1
    assert len(_inbox(staff["city"], case)) == 1
    assert case.events.filter(verb=EventVerb.CLIMBED).count() == 1
