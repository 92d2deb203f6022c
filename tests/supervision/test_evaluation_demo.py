"""The evaluation's demo is yearly: each institution has one evaluation a year (the latest year
the calendar has opened, and the one before, archived), and the quarters are monitoring."""

import re

import pytest

from portal import demo as portal_demo
from reporting import demo as returns_demo
from supervision.evaluation import demo, selectors
from supervision.evaluation.groups import groups_of
from supervision.evaluation.models import (
    Evaluation,
    EvaluationStatus,
    MonitoringScore,
    TargetGroup,
)

pytestmark = pytest.mark.django_db


def test_the_demo_opens_one_evaluation_a_year_and_monitors_the_quarters():
    portal_demo.load_demo()
    returns_demo.load_demo()
    demo.load_demo()
    year, _ = demo.demo_periods()
    periods = set(Evaluation.objects.values_list("period", flat=True))
    assert periods == {str(year - 1), str(year)}
    industrial = Evaluation.objects.filter(institution__name_zh=demo.NOTIFIED)
    assert sorted(industrial.values_list("period", "status")) == [
        (str(year - 1), EvaluationStatus.ARCHIVED),
        (str(year), EvaluationStatus.NOTIFIED),
    ]
    assert not industrial.filter(status=EvaluationStatus.SELF_ASSESSMENT).exists()
    watched = set(MonitoringScore.objects.values_list("period", flat=True))
    assert watched and all(re.fullmatch(r"\d{4}Q[1-4]", p) for p in watched)
    assert f"{year}Q3" in watched
    low = Evaluation.objects.get(institution__name_zh=demo.LOW_GRADE, period=str(year))
    assert low.status == EvaluationStatus.CONFIRMED and low.grade >= 3
    # The Fujian bureau's local legal-person banks are a target group: their scorecards show it.
    group = TargetGroup.objects.get(office__code="350000", year=year)
    assert group.rule == "local_legal_person"
    assert groups_of(year, {low.institution_id})[0].pk == group.pk
    # B2 (the 2025 notice's key areas) reads the private enterprises the demo's returns carry.
    b2 = selectors.current_result(low).line("B2")
    assert {part.code: part.points is not None for part in b2.parts} == {
        "B2.foreign_trade": True,
        "B2.private": True,
        "B2.technology": True,
        "B2.consumption": True,
    }
    assert b2.points is not None and b2.points > 0
