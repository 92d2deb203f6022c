"""Results rolled up the tree: the same numbers at every level, and deadlines in frozen time."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from portal import scoping
from reporting import filings, pipeline
from supervision.screening import assignment as screening_assignment
from supervision.screening import deadlines as screening_deadlines
from supervision.screening import rollup
from supervision.screening import services as screening
from supervision.screening.models import Assignment, TaskEnterprise
from tests import factories as f
from tests.reporting.returns import RESULT, upload, workbook
from tests.supervision.screening_helpers import answer, matrix_banks_only, result_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def matrix(matrix):
    return matrix_banks_only(matrix)


@pytest.fixture
def answered(matrix, tmp_path):
    """A General Bureau task delegated down to the counties of both provinces and assigned;
    the banks of county_a and county_c answered, county_b's has not."""
    head = matrix.users["gb_head"]
    task = f.screening_task(head, matrix.gb, {"350102": 4, "350121": 2, "440103": 3})
    for office in (matrix.gb, matrix.p1, matrix.p2, matrix.city1, matrix.city2):
        screening.delegate_by_county(head, task, office)
    for county in (matrix.county_a, matrix.county_b, matrix.county_c):
        screening_assignment.auto_assign(head, task, county)
    a = sorted(task.enterprises.filter(county="350102").values_list("credit_code", flat=True))
    answer(
        Assignment.objects.get(task=task, branch=matrix.branch_a1),
        [
            result_row(a[0], rate=3.5),
            result_row(a[1], rate=4.5, first_time="否"),
            result_row(a[2], "不予授信", decline_reason="信用记录不良"),
            result_row(a[3], "暂无需求"),
        ],
        tmp_path,
        head,
    )
    c = sorted(task.enterprises.filter(county="440103").values_list("credit_code", flat=True))
    answer(
        Assignment.objects.get(task=task, branch=matrix.branch_b1),
        [
            result_row(c[0], credit_amount=120, loan_amount=100, rate=3.0),
            result_row(c[1], "不予授信", decline_reason="负债过高"),
            result_row(c[2], "无法联系"),
        ],
        tmp_path,
        head,
    )
    return task


def figures_at(task, office) -> rollup.Rollup:
    return rollup.rollup(TaskEnterprise.objects.filter(task=task), office)


def test_every_level_adds_up_to_the_level_above(matrix, answered):
    for office in (matrix.gb, matrix.p1, matrix.p2, matrix.city1, matrix.city2, matrix.county_a):
        result = figures_at(answered, office)
        for figure in rollup.ADDITIVE:
            parts = sum(getattr(row, figure) for row in result.rows)
            assert parts == getattr(result.total, figure), (office.code, figure)
    # A province's totals are its sub-bureaus' totals, and the nation's the provinces'.
    nation = figures_at(answered, matrix.gb).total.as_dict()
    provinces = [figures_at(answered, p).total.as_dict() for p in (matrix.p1, matrix.p2)]
    assert nation == {k: provinces[0][k] + provinces[1][k] for k in nation}
    assert figures_at(answered, matrix.p1).total.as_dict() == (
        figures_at(answered, matrix.city1).total.as_dict()
    )


def test_the_figures_say_what_the_banks_answered(matrix, answered):
    total = figures_at(answered, matrix.gb).total
    assert (total.enterprises, total.assigned) == (9, 9)
    # Visited: every answer but "unreachable"; a need: granted, declined or pending.
    assert (total.visited, total.with_need, total.granted, total.declined) == (6, 5, 3, 2)
    assert total.credit == Decimal("220.00") and total.loans == Decimal("180.00")
    assert total.average_rate == Decimal("3.67")  # (3.5 + 4.5 + 3.0) / 3
    assert total.first_time == 2
    p1 = figures_at(answered, matrix.p1)
    assert [(r.office, r.enterprises) for r in p1.rows] == [(matrix.city1, 6)]
    city = figures_at(answered, matrix.city1)
    assert {r.office.code: r.granted for r in city.rows} == {"350102": 2, "350121": 0}
    reasons = figures_at(answered, matrix.gb).declined_by_reason
    assert sorted(reasons) == [("over_indebted", 1), ("poor_credit", 1)]


def test_enterprises_an_office_still_holds_show_as_its_own_row(matrix):
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.city1, {"350102": 2, "350121": 1})
    screening.delegate(head, task, matrix.city1, matrix.county_a)
    result = figures_at(task, matrix.city1)
    assert [(r.office, r.enterprises) for r in result.rows] == [(matrix.county_a, 2), (None, 1)]
    assert result.total.enterprises == 3


def _kept_equals_a_fresh_count(task, offices) -> None:
    for office in offices:
        fresh, kept = figures_at(task, office), rollup.kept(task, office)
        assert [(r.office, r.as_dict()) for r in kept.rows] == [
            (r.office, r.as_dict()) for r in fresh.rows
        ], office.code
        assert kept.total.as_dict() == fresh.total.as_dict(), office.code
        assert kept.declined_by_reason == fresh.declined_by_reason, office.code


def test_the_kept_counts_equal_a_fresh_count_after_passing_down_assigning_and_answering(
    matrix, answered, tmp_path
):
    offices = (matrix.gb, matrix.p1, matrix.p2, matrix.city1, matrix.city2, matrix.county_a)
    _kept_equals_a_fresh_count(answered, offices)
    assert rollup.kept(answered, matrix.gb).total.granted == 3
    # Answered again (the pending and unreachable ones now granted): the counts move along.
    c = sorted(answered.enterprises.filter(county="440103").values_list("credit_code", flat=True))
    answer(
        Assignment.objects.get(task=answered, branch=matrix.branch_b1),
        [result_row(code, credit_amount=50, loan_amount=40, rate=2.5) for code in c],
        tmp_path,
        matrix.users["gb_head"],
    )
    _kept_equals_a_fresh_count(answered, offices)
    assert rollup.kept(answered, matrix.gb).total.granted == 5


def test_the_kept_counts_follow_a_task_held_in_part_and_go_with_its_enterprises(matrix):
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.city1, {"350102": 2, "350121": 1})
    _kept_equals_a_fresh_count(task, (matrix.city1,))
    screening.delegate(head, task, matrix.city1, matrix.county_a)
    _kept_equals_a_fresh_count(task, (matrix.city1, matrix.county_a))
    assert [(r.office, r.enterprises) for r in rollup.kept(task, matrix.city1).rows] == [
        (matrix.county_a, 2),
        (None, 1),
    ]
    task.enterprises.filter(county="350121").delete()
    _kept_equals_a_fresh_count(task, (matrix.city1,))
    assert rollup.kept(task, matrix.city1).total.enterprises == 2


def test_a_county_reader_sees_its_own_part_only(matrix, answered):
    visible = scoping.visible(matrix.users["county_a"], TaskEnterprise).filter(task=answered)
    total = rollup.rollup(visible, matrix.county_a).total
    assert (total.enterprises, total.granted) == (4, 2)


# -- deadlines -----------------------------------------------------------------------------


def test_an_assignment_is_overdue_after_its_due_date_until_its_results_are_filed(matrix, tmp_path):
    head = matrix.users["p1_head"]
    task = f.screening_task(
        head, matrix.county_a, {"350102": 1}, deadline=timezone.localdate() + timedelta(days=5)
    )
    screening_assignment.auto_assign(head, task, matrix.county_a)
    assignment = Assignment.objects.get(task=task)
    mine = Assignment.objects.filter(task=task)
    with time_machine.travel(timezone.now() + timedelta(days=5)):
        assert not screening_deadlines.overdue(mine, timezone.localdate()).exists()
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        late = screening_deadlines.overdue_assignments(mine, timezone.localdate()).get()
        assert late == assignment and late.enterprise_count == 1
        assert screening_deadlines.days_overdue(late, timezone.localdate()) == 3
        # Filed (signed) late: no longer overdue.
        path = workbook(
            tmp_path / "late.xlsx",
            [result_row(task.enterprises.get().credit_code, "暂无需求")],
            spec=RESULT,
        )
        filing = upload(matrix.users["branch_a1"], assignment.request, path)
        pipeline.run(filing.pk)
        approver = f.member("approver", branch=matrix.branch_a1)
        filings.filing_sign(approver, filing, {})
        assert not screening_deadlines.overdue(mine, timezone.localdate()).exists()
