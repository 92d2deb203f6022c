"""Round robin in turn by credit code, the same on PostgreSQL (one statement, issue 21) and
elsewhere (planned in Python): which bank gets which enterprise, the history entries, the
counts each bank is told and the counties no bank can take."""

import pytest

from supervision.screening import assignment as screening_assignment
from supervision.screening.models import AssignmentEntry, TaskEnterprise
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_enterprises_of_a_county_go_to_its_banks_in_turn_by_credit_code(matrix):
    other = f.BranchFactory(institution=matrix.bank_b, office=matrix.county_a)
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.county_a, {"350102": 5})

    result = screening_assignment.auto_assign(head, task, matrix.county_a)

    in_turn = TaskEnterprise.objects.filter(task=task).order_by("credit_code")
    banks = [e.assignment.branch for e in in_turn.select_related("assignment__branch")]
    first, second = sorted([matrix.branch_a1, other], key=lambda branch: branch.pk)
    assert banks == [first, second, first, second, first]
    assert {a.branch: n for a, n in result.given.items()} == {first: 3, second: 2}
    entries = AssignmentEntry.objects.filter(enterprise__task=task)
    assert sorted(entries.values_list("enterprise__credit_code", "assignment__branch")) == sorted(
        (e.credit_code, e.assignment.branch.pk) for e in in_turn.select_related("assignment")
    )


def test_a_county_with_no_bank_is_left_unplaced_and_the_others_assigned(matrix):
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.county_a, {"350102": 2, "350121": 3})

    result = screening_assignment.auto_assign(head, task, matrix.county_a)

    assert result.assigned == 2
    assert result.unplaced == {"350121": 3}
    left = TaskEnterprise.objects.filter(task=task, assignment__isnull=True)
    assert sorted(left.values_list("county", flat=True)) == ["350121"] * 3


def test_assigning_again_gives_nothing_new(matrix):
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.county_a, {"350102": 3})
    screening_assignment.auto_assign(head, task, matrix.county_a)

    again = screening_assignment.auto_assign(head, task, matrix.county_a)

    assert again.assigned == 0
    assert AssignmentEntry.objects.filter(enterprise__task=task).count() == 3
