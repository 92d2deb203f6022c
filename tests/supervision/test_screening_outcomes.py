"""Screening outcomes measured (issue 19): days from the push to the first contact, decision
and loan, per bank, office and task, against an independent computation over the dates the
test set; rates weighted by amount; the office's page across tasks with its follow-up."""

import random
import statistics
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification, Role
from supervision import causes
from supervision.escalation.models import EscalationRule
from supervision.screening import assignment as screening_assignment
from supervision.screening import first_contact, outcomes
from supervision.screening import services as screening
from supervision.screening.models import TaskEnterprise
from supervision.screening.visits import reminders
from supervision.screening.visits import services as visits
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushed(matrix):
    """A task of city1 with 12 enterprises in each county, county A's given to branch a1 and
    county B's to branch a2 (both of bank A), yesterday."""
    head = matrix.users["p1_head"]
    task = f.screening_task(head, matrix.city1, {"350102": 12, "350121": 12}, title="时效测算")
    screening.delegate_by_county(head, task, matrix.city1)
    for county, branch in (
        (matrix.county_a, matrix.branch_a1),
        (matrix.county_b, matrix.branch_a2),
    ):
        screening_assignment.assign(
            head, task, county, institution=matrix.bank_a, branch=branch, counties=[county.code]
        )
    # Pushed yesterday, so that a visit made hours ago is after the push at any hour.
    screening_assignment.date_push(
        TaskEnterprise.objects.filter(task=task), timezone.now() - timedelta(days=1)
    )
    return task


def _visit(user, enterprise, when: datetime, **values):
    data = {"visited_at": when, "visitors": "客户经理", "decision": "pending"} | values
    return visits.visit_record(
        user,
        visits.VisitInput(
            client_id=uuid.uuid4(),
            assignment_id=enterprise.assignment_id,
            enterprise_id=enterprise.pk,
            values=data,
        ),
    )


def test_days_to_contact_equal_an_independent_computation(matrix, pushed):
    # One enterprise moved to another bank: it has two entries, and counts once, for the new.
    moved = TaskEnterprise.objects.filter(task=pushed, county="350102").first()
    screening_assignment.assign(
        matrix.users["p1_head"],
        pushed,
        matrix.county_a,
        institution=matrix.bank_b,
        branch=f.BranchFactory(institution=matrix.bank_b, office=matrix.county_a),
        credit_codes=[moved.credit_code],
    )
    rng = random.Random(19)
    today = timezone.localdate()
    expected: dict[str, list[int]] = {matrix.county_a.code: [], matrix.county_b.code: []}
    for enterprise in TaskEnterprise.objects.filter(task=pushed).select_related("assignment"):
        push_day = today - timedelta(days=rng.randint(20, 40))
        pushed_at = timezone.make_aware(datetime.combine(push_day, datetime.min.time()))
        screening_assignment.date_push(TaskEnterprise.objects.filter(pk=enterprise.pk), pushed_at)
        if rng.random() < 0.25:
            continue  # not contacted yet
        days = rng.randint(0, 19)
        TaskEnterprise.objects.filter(pk=enterprise.pk).update(
            contact_date=push_day + timedelta(days=days)
        )
        expected[enterprise.county].append(days)

    enterprises = TaskEnterprise.objects.filter(task=pushed)
    by_office = {m.key: m for m in outcomes.timings(enterprises, "office")}
    for office in (matrix.county_a, matrix.county_b):
        measured, days = by_office[office.pk], expected[office.code]
        assert measured.pushed == 12
        assert measured.to_contact.count == len(days)
        assert measured.to_contact.median == statistics.median(days)
        bands = dict(measured.to_contact.distribution())
        assert bands["0-3"] == sum(1 for d in days if d <= 3)
        assert bands["15-30"] == sum(1 for d in days if 15 <= d <= 30)
        assert sum(bands.values()) == len(days)
    banks = {m.key: m for m in outcomes.timings(enterprises, "bank")}
    assert (banks[matrix.bank_a.pk].pushed, banks[matrix.bank_b.pk].pushed) == (23, 1)
    everyone = expected[matrix.county_a.code] + expected[matrix.county_b.code]
    assert outcomes.overall(banks.values()).to_contact.median == statistics.median(everyone)
    (task,) = outcomes.timings(enterprises, "task")
    assert task.key == pushed.pk


def test_days_to_decision_and_loan_come_from_the_visits(matrix, pushed):
    officer = matrix.users["branch_a1"]
    first, second = TaskEnterprise.objects.filter(task=pushed, county="350102")[:2]
    pushed_at = timezone.now() - timedelta(days=10)
    screening_assignment.date_push(TaskEnterprise.objects.filter(task=pushed), pushed_at)
    _visit(officer, first, pushed_at + timedelta(days=2))  # pending: no decision yet
    _visit(
        officer,
        first,
        pushed_at + timedelta(days=6),
        decision="granted",
        credit_amount=Decimal(50),
        loan_date=timezone.localdate(pushed_at) + timedelta(days=9),
    )
    _visit(
        officer,
        second,
        pushed_at + timedelta(days=4),
        decision="declined",
        decline_reason="poor_credit",
    )
    enterprises = TaskEnterprise.objects.filter(task=pushed)
    measured = {m.key: m for m in outcomes.timings(enterprises, "office")}[matrix.county_a.pk]
    assert sorted(measured.to_contact.days) == [2, 4]
    assert sorted(measured.to_decision.days) == [4, 6]
    assert measured.to_loan.days == [9]


def test_rates_are_weighted_by_amount(matrix, pushed):
    rows = list(TaskEnterprise.objects.filter(task=pushed, county="350102")[:3])
    granted = {"decision": "granted", "first_time": True}
    TaskEnterprise.objects.filter(pk=rows[0].pk).update(
        **granted, need_amount=100, credit_amount=50, loan_amount=100, rate=Decimal("3.00")
    )
    TaskEnterprise.objects.filter(pk=rows[1].pk).update(
        decision="granted", need_amount=200, credit_amount=150, loan_amount=300, rate=Decimal(4)
    )
    TaskEnterprise.objects.filter(pk=rows[2].pk).update(decision="no_need", need_amount=900)
    result = outcomes.weighted(TaskEnterprise.objects.filter(task=pushed))
    # (3.00 x 100 + 4.00 x 300) / 400, where the unweighted mean would be 3.50
    assert result.weighted_rate == Decimal("3.75")
    # credit 200 of a need of 300; the enterprise with no need is not counted
    assert result.granted_share_of_need == Decimal("0.6667")
    assert (result.granted, result.first_time) == (2, 1)


def test_the_loan_mix_counts_credit_loans_and_renewals_from_the_visits(matrix, pushed):
    officer = matrix.users["branch_a1"]
    first, second = TaskEnterprise.objects.filter(task=pushed, county="350102")[:2]
    now = timezone.now()
    granted = {"decision": "granted", "credit_amount": Decimal(10)}
    _visit(officer, first, now - timedelta(hours=2), **granted, credit_loan=True, renewal=True)
    _visit(officer, second, now - timedelta(hours=1), **granted, credit_loan=True, renewal=False)
    result = outcomes.weighted(TaskEnterprise.objects.filter(task=pushed))
    assert (result.granted, result.credit_loans, result.renewals) == (2, 2, 1)


def test_the_office_page_across_tasks(matrix, pushed, client_for):
    officer = matrix.users["branch_a1"]
    enterprise = TaskEnterprise.objects.filter(task=pushed, county="350102").first()
    due = timezone.localdate() + timedelta(days=3)
    _visit(officer, enterprise, timezone.now(), next_step="送审批材料", next_step_on=due)
    county = f.member(Role.REVIEWER, office=matrix.county_a)
    page = client_for(county).get(reverse("screening-across"), {"by": "office"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "送审批材料" in body  # the follow-up of next steps
    assert matrix.county_a.name_en in body or matrix.county_a.name_zh in body
    assert matrix.county_b.name_zh not in body  # not under county A


def test_the_office_page_filters_by_key_area(matrix, pushed, client_for):
    client = client_for(matrix.users["p1_head"])
    shown = client.get(reverse("screening-across"), {"key_area": "technology"})
    assert shown.status_code == 200
    assert shown.context["tasks"] == 0
    every = client.get(reverse("screening-across"))
    assert every.context["tasks"] == 1


# -- overdue first contacts, a cause for escalation ---------------------------------------------


def test_enterprises_not_contacted_within_a_week_are_a_cause_until_visited(matrix, pushed):
    officer = matrix.users["branch_a1"]
    county_a = TaskEnterprise.objects.filter(task=pushed, county="350102").order_by("pk")
    long_ago = timezone.now() - timedelta(days=8)
    screening_assignment.date_push(county_a, long_ago)
    TaskEnterprise.objects.filter(pk=county_a[0].pk).update(contact_date=timezone.localdate())
    (cause,) = causes.current(first_contact.CAUSE_KIND, timezone.now())
    assignment = county_a[1].assignment
    assert (cause.institution_id, cause.branch_id) == (matrix.bank_a.pk, matrix.branch_a1.pk)
    assert cause.measure == 11  # twelve pushed a week ago, one contacted
    assert cause.key == f"screening-assignment:{assignment.pk}:contact"
    for enterprise in county_a[1:]:
        _visit(officer, enterprise, timezone.now(), decision="unreachable")
    assert causes.current(first_contact.CAUSE_KIND, timezone.now()) == []
    rule = EscalationRule.objects.get(office=None, kind=first_contact.CAUSE_KIND)
    assert rule.threshold == 1


# -- next steps reminded to the bank ----------------------------------------------------------


def test_the_bank_is_reminded_once_of_a_next_step_due(
    matrix, pushed, django_capture_on_commit_callbacks
):
    officer = matrix.users["branch_a1"]
    first, second, third = TaskEnterprise.objects.filter(task=pushed, county="350102")[:3]
    today, now = timezone.localdate(), timezone.now()
    _visit(officer, first, now, next_step="补充纳税证明", next_step_on=today + timedelta(days=1))
    _visit(officer, second, now, next_step="下月回访", next_step_on=today + timedelta(days=20))
    # A later visit of the third sets its next step anew, further off.
    _visit(officer, third, now - timedelta(hours=2), next_step="旧约定", next_step_on=today)
    _visit(officer, third, now, next_step="新约定", next_step_on=today + timedelta(days=9))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.remind_next_steps() == 1
    assert reminders.remind_next_steps() == 0  # once
    note = Notification.objects.get(recipient=officer, object_type="supervision.Visit")
    assert note.params["step"] == "补充纳税证明"
    assert note.params["enterprise"] == first.name
