"""Screening tasks: the list, delegation down the four levels, automatic and manual assignment,
the return requests assignments open, the banks' results, and assigning again on decline."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from portal import scoping
from portal.models import Notification, Role
from reporting.models import FilingStatus, RequestSource
from supervision.screening import assignment as screening_assignment
from supervision.screening import lists as screening_lists
from supervision.screening import results as screening_results
from supervision.screening import services as screening
from supervision.screening.models import (
    Assignment,
    AssignmentEntry,
    Decision,
    ScreeningTask,
    TaskEnterprise,
)
from tests import factories as f
from tests.reporting.returns import RESULT, upload, workbook
from tests.supervision.screening_helpers import (
    answer,
    list_row,
    list_workbook,
    matrix_banks_only,
    result_row,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def matrix(matrix):
    return matrix_banks_only(matrix)


def held_by(task: ScreeningTask) -> dict[str, int]:
    """Office code -> enterprises of the task it holds."""
    counts: dict[str, int] = {}
    for code in task.enterprises.values_list("holder__code", flat=True):
        counts[code] = counts.get(code, 0) + 1
    return counts


# -- the list ------------------------------------------------------------------------------


def test_an_uploaded_list_becomes_a_task_held_by_its_office(matrix, tmp_path):
    rows = [list_row("350102"), list_row("350121"), list_row("350121", phone="13900002222")]
    enterprises = screening_lists.read_list(list_workbook(tmp_path / "list.xlsx", rows))
    task = screening.task_create(
        matrix.users["p1_head"],
        matrix.city1,
        title="2025年外贸企业走访",
        deadline=timezone.localdate() + timedelta(days=20),
        enterprises=enterprises,
        key_areas=["foreign_trade", "private"],
    )
    assert task.enterprise_count == 3
    assert held_by(task) == {matrix.city1.code: 3}
    stored = task.enterprises.get(credit_code=rows[2]["credit_code"])
    assert (stored.entity_type, stored.size, stored.phone) == ("enterprise", "small", "13900002222")
    assert stored.need_amount == Decimal("100.00")


def test_a_list_with_an_error_is_refused_and_nothing_is_created(matrix, tmp_path):
    rows = [list_row("350102"), list_row("350102", good_credit="否")]
    with pytest.raises(ValidationError) as refused:
        screening_lists.read_list(list_workbook(tmp_path / "bad.xlsx", rows))
    assert "SC-V101" in " ".join(refused.value.messages)
    assert "4" in " ".join(refused.value.messages)  # the row of the failing enterprise
    assert not ScreeningTask.objects.filter(office=matrix.city1).exclude(title__startswith="矩阵")


def test_a_list_repeating_an_enterprise_is_refused(matrix, tmp_path):
    twice = list_row("350102")
    with pytest.raises(ValidationError):
        screening_lists.read_list(list_workbook(tmp_path / "twice.xlsx", [twice, dict(twice)]))


def test_a_viewer_cannot_create_a_task(matrix):
    with pytest.raises(PermissionDenied):
        f.screening_task(matrix.users["county_a"], matrix.county_a, {"350102": 1})


def test_a_task_with_a_past_deadline_is_refused(matrix):
    with pytest.raises(ValidationError):
        f.screening_task(
            matrix.users["p1_head"],
            matrix.city1,
            {"350102": 1},
            deadline=timezone.localdate() - timedelta(days=1),
        )


# -- delegation ----------------------------------------------------------------------------


def test_delegation_runs_down_all_four_levels_to_a_bank(matrix):
    head = matrix.users["gb_head"]
    task = f.screening_task(head, matrix.gb, {"350102": 3, "350121": 2, "440103": 1})
    assert screening.delegate_by_county(head, task, matrix.gb) == {matrix.p1: 5, matrix.p2: 1}
    screening.delegate_by_county(head, task, matrix.p1)
    screening.delegate_by_county(head, task, matrix.city1)
    assert held_by(task) == {"350102": 3, "350121": 2, "440000": 1}

    result = screening_assignment.auto_assign(matrix.users["gb_head"], task, matrix.county_a)
    assert result.assigned == 3
    assignment = Assignment.objects.get(task=task, office=matrix.county_a)
    assert assignment.branch == matrix.branch_a1

    # Each level sees its own part; the county beside it, and the other province, do not.
    def seen(user_key: str) -> int:
        user = matrix.users[user_key]
        return scoping.visible(user, TaskEnterprise).filter(task=task).count()

    assert (seen("p1_head"), seen("county_a"), seen("county_b"), seen("p2_head")) == (5, 3, 2, 1)
    assert (seen("branch_a1"), seen("branch_a2"), seen("bank_a"), seen("bank_b")) == (3, 0, 3, 0)
    assert scoping.visible(matrix.users["county_a"], ScreeningTask).filter(pk=task.pk).exists()


def test_a_county_sees_its_own_tasks_and_those_delegated_to_it_not_its_siblings(matrix):
    county_a, county_b = matrix.users["county_a"], matrix.users["county_b"]
    own = f.screening_task(matrix.users["p1_head"], matrix.county_b, {"350121": 1})
    assert scoping.visible(county_b, ScreeningTask).filter(pk=own.pk).exists()
    assert not scoping.visible(county_a, ScreeningTask).filter(pk=own.pk).exists()
    # A city task that gave county_a nothing stays out of county_a's list.
    city = f.screening_task(matrix.users["p1_head"], matrix.city1, {"350121": 2})
    screening.delegate_by_county(matrix.users["p1_head"], city, matrix.city1)
    assert not scoping.visible(county_a, ScreeningTask).filter(pk=city.pk).exists()
    assert scoping.visible(county_b, ScreeningTask).filter(pk=city.pk).exists()


def test_an_office_delegates_chosen_counties_only_to_a_child(matrix):
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.city1, {"350102": 2, "350121": 2})
    moved = screening.delegate(head, task, matrix.city1, matrix.county_b, counties=["350121"])
    assert moved == 2
    assert held_by(task) == {matrix.city1.code: 2, "350121": 2}
    with pytest.raises(ValidationError):
        screening.delegate(head, task, matrix.p1, matrix.county_a)  # a grandchild
    with pytest.raises(PermissionDenied):
        screening.delegate(matrix.users["p2_head"], task, matrix.city1, matrix.county_a)


def test_the_child_office_is_told_of_what_it_was_given(matrix):
    officer = f.member(Role.REVIEWER, office=matrix.county_a)
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.city1, {"350102": 2})
    screening.delegate_by_county(head, task, matrix.city1)
    note = Notification.objects.get(recipient=officer)
    assert "2" in note.text and task.title in note.text


# -- assignment ----------------------------------------------------------------------------


def test_round_robin_alternates_between_the_banks_in_the_county(matrix):
    other = f.BranchFactory(institution=matrix.bank_b, office=matrix.county_a)
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.county_a, {"350102": 5})
    result = screening_assignment.auto_assign(head, task, matrix.county_a)
    given = {a.branch: n for a, n in result.given.items()}
    assert given == {matrix.branch_a1: 3, other: 2}
    assert not result.unplaced


def test_existing_relationship_comes_before_round_robin(matrix, tmp_path):
    other = f.BranchFactory(institution=matrix.bank_b, office=matrix.county_a)
    head = matrix.users["p1_head"]
    earlier = f.screening_task(head, matrix.county_a, {"350102": 1})
    screening_assignment.assign(
        head, earlier, matrix.county_a, institution=matrix.bank_b, branch=other, counties=["350102"]
    )
    enterprise = earlier.enterprises.get()
    answer(other.screening_assignments.get(), [result_row(enterprise.credit_code)], tmp_path, head)

    later = f.screening_task(head, matrix.county_a, {"350102": 3})
    row = later.enterprises.first()
    TaskEnterprise.objects.filter(pk=row.pk).update(credit_code=enterprise.credit_code)
    screening_assignment.auto_assign(head, later, matrix.county_a, Assignment.Rule.RELATIONSHIP)
    row.refresh_from_db()
    assert row.assignment.branch == other  # the bank that granted it credit before
    # The two others take turns between the county's banks.
    assert later.enterprises.filter(assignment__branch=matrix.branch_a1).count() == 1
    assert later.enterprises.filter(assignment__branch=other).count() == 2


def test_a_loan_reported_in_a_later_task_is_linked_to_the_earlier_one(matrix, tmp_path, client_for):
    head = matrix.users["p1_head"]
    earlier = f.screening_task(head, matrix.county_a, {"350102": 2})
    screening_assignment.auto_assign(head, earlier, matrix.county_a)
    enterprise, other = earlier.enterprises.order_by("credit_code")
    answer(
        Assignment.objects.get(task=earlier),
        [result_row(enterprise.credit_code, "暂无需求"), result_row(other.credit_code, "暂无需求")],
        tmp_path,
        head,
    )
    later = f.screening_task(head, matrix.county_a, {"350102": 1})
    TaskEnterprise.objects.filter(task=later).update(credit_code=enterprise.credit_code)
    screening_assignment.auto_assign(head, later, matrix.county_a)
    answer(
        Assignment.objects.get(task=later),
        [result_row(enterprise.credit_code, credit_amount=80, loan_amount=60)],
        tmp_path,
        head,
    )

    client = client_for(head)
    page = client.get(reverse("screening-task", args=[earlier.pk]))
    assert page.context["granted_later"].enterprises == 1
    assert page.context["granted_later"].loans == Decimal("60")
    assert page.context["figures"].total.granted == 0  # counted in the later task, not here
    assert b'data-testid="granted-later"' in page.content
    assert (
        not client.get(reverse("screening-task", args=[later.pk]))
        .context["granted_later"]
        .enterprises
    )
    history = client.get(reverse("screening-enterprise", args=[enterprise.credit_code]))
    rows = {row.task_id: row for row in history.context["listed"]}
    assert [g.task_id for g in rows[earlier.pk].granted_later] == [later.pk]
    assert rows[later.pk].granted_later == []
    assert later.title in history.content.decode()


def test_enterprises_of_a_county_without_a_bank_are_left_and_reported(matrix):
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.city1, {"350121": 1, "350102": 1})
    matrix.branch_a2.is_active = False
    matrix.branch_a2.save()
    result = screening_assignment.auto_assign(head, task, matrix.city1)
    assert result.assigned == 1 and result.unplaced == {"350121": 1}


def test_each_assignment_opens_a_result_return_and_tells_the_bank(matrix):
    preparer = matrix.users["branch_a1"]
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.county_a, {"350102": 2})
    screening_assignment.auto_assign(head, task, matrix.county_a)
    assignment = Assignment.objects.get(task=task)
    request = assignment.request
    assert (request.spec_code, request.source, request.source_ref) == (
        "SCREENING-RESULT",
        RequestSource.SCREENING,
        f"screening-assignment:{assignment.pk}",
    )
    assert (request.branch, request.due_date, request.period) == (
        matrix.branch_a1,
        task.deadline,
        task.period,
    )
    assert scoping.visible(preparer, type(request)).filter(pk=request.pk).exists()
    assert Notification.objects.filter(recipient=preparer, object_id=str(assignment.pk)).exists()


def test_manual_assignment_overrides_and_keeps_the_history(matrix):
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.county_a, {"350102": 2})
    screening_assignment.auto_assign(head, task, matrix.county_a)
    code = task.enterprises.first().credit_code
    screening_assignment.assign(
        head, task, matrix.county_a, institution=matrix.bank_a, credit_codes=[code.lower()]
    )
    moved = task.enterprises.get(credit_code=code)
    assert (moved.assignment.institution, moved.assignment.branch) == (matrix.bank_a, None)
    history = AssignmentEntry.objects.filter(enterprise=moved).order_by("pk")
    assert [e.assignment.branch for e in history] == [matrix.branch_a1, None]
    # The branch no longer sees it; the bank's head office does.
    assert not scoping.visible(matrix.users["branch_a1"], TaskEnterprise).filter(pk=moved.pk)
    assert scoping.visible(matrix.users["bank_a"], TaskEnterprise).filter(pk=moved.pk).exists()


def test_an_office_assigns_only_to_banks_it_supervises(matrix):
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.county_a, {"350102": 1})
    with pytest.raises(ValidationError):
        screening_assignment.assign(
            head,
            task,
            matrix.county_a,
            institution=matrix.bank_a,
            branch=matrix.branch_a2,
            counties=["350102"],
        )


# -- results -------------------------------------------------------------------------------


def test_accepted_results_reach_the_enterprises(matrix, tmp_path):
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.county_a, {"350102": 3})
    screening_assignment.auto_assign(head, task, matrix.county_a)
    assignment = Assignment.objects.get(task=task)
    first, second, third = task.enterprises.order_by("credit_code")
    rows = [
        result_row(first.credit_code, rate=4.1),
        result_row(second.credit_code, "不予授信", decline_reason="信用记录不良"),
        result_row(third.credit_code, "暂无需求"),
    ]
    assert answer(assignment, rows, tmp_path, head) == 3
    first.refresh_from_db()
    assert (first.decision, first.credit_amount, first.rate, first.first_time) == (
        Decision.GRANTED,
        Decimal("50.00"),
        Decimal("4.10"),
        True,
    )
    second.refresh_from_db()
    assert (second.decision, second.decline_reason) == (Decision.DECLINED, "poor_credit")
    # Taking the same filing in again changes nothing.
    assert screening_results.record_results(first.entries.get().filing_id) == 3
    assert task.enterprises.filter(decision=Decision.GRANTED).count() == 1


def test_a_result_for_an_enterprise_not_assigned_to_the_bank_is_rejected(matrix, tmp_path):
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.county_a, {"350102": 1})
    screening_assignment.auto_assign(head, task, matrix.county_a)
    assignment = Assignment.objects.get(task=task)
    stranger = f.credit_code("350102")
    path = workbook(tmp_path / "r.xlsx", [result_row(stranger)], spec=RESULT)
    filing = upload(matrix.users["branch_a1"], assignment.request, path)
    from reporting import pipeline

    pipeline.run(filing.pk)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.REJECTED
    assert filing.hits.filter(code="SR-V101").exists()


def test_declined_enterprises_go_to_another_bank_in_the_county(matrix, tmp_path):
    other = f.BranchFactory(institution=matrix.bank_b, office=matrix.county_a)
    reviewer = f.member(Role.REVIEWER, office=matrix.county_a)
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.county_a, {"350102": 2})
    screening_assignment.assign(
        head,
        task,
        matrix.county_a,
        institution=matrix.bank_a,
        branch=matrix.branch_a1,
        counties=["350102"],
    )
    declined, granted = task.enterprises.order_by("credit_code")
    rows = [
        result_row(declined.credit_code, "不予授信", decline_reason="负债过高"),
        result_row(granted.credit_code),
    ]
    answer(Assignment.objects.get(task=task), rows, tmp_path, head)
    # The assigning office hears of the decline.
    assert Notification.objects.filter(recipient=reviewer, message__contains="declined").exists()

    result = screening_assignment.reassign_declined(head, task, matrix.county_a)
    assert result.assigned == 1
    declined.refresh_from_db()
    assert declined.assignment.branch == other and declined.decision == ""
    granted.refresh_from_db()
    assert granted.assignment.branch == matrix.branch_a1 and granted.decision == Decision.GRANTED
    # The first bank's answer stays in the history.
    first_answer = AssignmentEntry.objects.get(
        enterprise=declined, assignment__branch=matrix.branch_a1
    )
    assert first_answer.decision == Decision.DECLINED
    # A second round finds no bank that has not been asked.
    answer(
        declined.assignment,
        [result_row(declined.credit_code, "不予授信", decline_reason="其他")],
        tmp_path,
        head,
    )
    again = screening_assignment.reassign_declined(head, task, matrix.county_a)
    assert again.assigned == 0 and again.unplaced == {"350102": 1}
