"""What follows a grade is scheme data: grade 3 brings improvement requirements with a deadline
and closer supervision (a flag on the worklist and the scorecard); grade 4 also a supervisory
talk and a rectification plan. The bank reads its gap list on its notified scorecard."""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import translation

from supervision.evaluation import consequences, cycle, selectors
from supervision.evaluation import scheme as schemes
from supervision.evaluation.models import Evaluation
from supervision.evaluation.scoring import Inputs, score
from tests.supervision.test_evaluation_cycle import _lower_to_grade_three, people  # noqa: F401
from tests.supervision.test_evaluation_scoring import CITY_BANK, REVIEWED

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("version", ["2023", "2025"])
def test_each_grade_has_its_consequences_in_the_scheme(version):
    scheme = schemes.load(version)
    assert scheme.consequence(1).measures == scheme.consequence(2).measures == ()
    three, four = scheme.consequence(3), scheme.consequence(4)
    assert three.measures == ("improvement_requirements", "closer_supervision")
    assert four.measures == (*three.measures, "supervisory_talk", "rectification_plan")
    assert (three.deadline_days, four.deadline_days) == (90, 60)
    assert "portal defaults" in scheme.consequences_source.en


def test_the_gap_list_names_the_points_lost_and_why():
    scheme = schemes.load("2025")
    result = score(scheme, Inputs("city_commercial", CITY_BANK, qualitative=REVIEWED))
    with translation.override("en"):
        gaps = consequences.gaps(scheme, result)
        assert gaps[0].text == (
            "lost 4.00 points on CS2: 190 borrowers lies between 180 borrowers (no points) and "
            "the target of 200 borrowers: 4.00 of 8 points."
        )
    assert [g.code for g in gaps][:2] == ["CS2", "KP1"]
    assert all(g.lost > 0 for g in gaps) and "B1" not in {g.code for g in gaps}  # bonus: no gap


def test_grade_three_puts_the_bank_under_closer_supervision(people, client_for):  # noqa: F811
    _lower_to_grade_three(people)
    cycle.confirm(people["head"], people["evaluation"])
    evaluation = Evaluation.objects.get(pk=people["evaluation"].pk)
    assert evaluation.grade == 3
    assert consequences.measures(evaluation) == ["improvement_requirements", "closer_supervision"]
    viewer = client_for(people["viewer"])
    home = viewer.get(reverse("home")).content.decode()
    assert "Institutions under closer supervision" in home
    page = viewer.get(reverse("evaluation-detail", args=[evaluation.pk])).content.decode()
    assert "Closer supervision" in page and "within 90 days" in page
    assert 'data-testid="gaps"' in page
    cycle.notify_bank(people["reviewer"], evaluation)
    bank = client_for(people["preparer"]).get(reverse("evaluation-detail", args=[evaluation.pk]))
    assert "lost 5.00 points on Q1" in bank.content.decode()
    assert consequences.under_closer_supervision(people["preparer"]).count() == 1
    # The dashboards' grades panel counts it for the office's subtree, for any quarter after.
    office = evaluation.institution.office
    assert selectors.under_closer_supervision(office, "2026Q2") == 1
    assert D(evaluation.grade) == 3
