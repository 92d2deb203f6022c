"""The parts that find problems raise real cases: a confirmed low grade at once (cause_found),
an overdue complaint and an overdue return at the next sweep; each cause once."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from supervision.escalation import climbing
from supervision.escalation.models import Case
from supervision.evaluation import cycle
from tests import factories as f
from tests.supervision.test_evaluation_cycle import _lower_to_grade_three, people  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_confirmed_low_grade_raises_a_case_at_once(people, django_capture_on_commit_callbacks):  # noqa: F811
    evaluation = people["evaluation"]
    _lower_to_grade_three(people)
    with django_capture_on_commit_callbacks(execute=True):
        cycle.confirm(people["head"], evaluation)
    case = Case.objects.get(institution=evaluation.institution)
    assert case.office == evaluation.institution.office and case.kind == "low-grade"
    cause = case.causes.get()
    assert cause.measure == 3
    assert cause.evidence_url == reverse("evaluation-detail", args=[evaluation.pk])
    # The sweep lists the same confirmed result: it raises nothing more.
    assert climbing.collect_causes() == 0
    assert case.causes.count() == 1


def test_an_overdue_complaint_raises_a_case_at_the_next_sweep(matrix):
    branch = f.BranchFactory(institution=matrix.bank_b, office=matrix.county_c)
    complaint = f.ComplaintFactory(branch=branch, due_on=date.today() - timedelta(days=3))
    assert not Case.objects.filter(branch=branch).exists()
    climbing.sweep()
    case = Case.objects.get(branch=branch)
    assert case.office == matrix.county_c and case.kind == "complaint-overdue"
    assert case.causes.get().evidence_url == reverse("complaint-detail", args=[complaint.pk])
    climbing.sweep()
    assert case.causes.count() == 1
