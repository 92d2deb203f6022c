"""A differentiated arrangement for an area (the 2025 notice III(III)): a head of office marks an
office's subtree for a year, and every institution supervised there is scored by the scheme's
differentiated rules; an office outside it cannot, and removing it scores the area again."""

from datetime import date

import pytest
from django.urls import reverse

from portal.models import AuditEvent, Institution, Role
from supervision.evaluation import scheme as schemes
from supervision.evaluation.inputs import gather
from supervision.evaluation.models import AreaArrangement, ScoringRun
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    gb = f.office("000000", "总局")
    p1 = f.office("350000", "甲省局", gb)
    county = f.office("350102", "鼓楼区", f.office("350100", "福州分局", p1))
    p2 = f.office("110000", "乙省局", gb)
    return {
        "inside": f.InstitutionFactory(office=county),
        "outside": f.InstitutionFactory(office=p2),
        "head": f.member(Role.HEAD, office=p1),
        "other_head": f.member(Role.HEAD, office=p2),
        "reviewer": f.member(Role.REVIEWER, office=p1),
    }


def _differentiated(version: str) -> set[int]:
    _, differentiated, _ = gather(
        schemes.load(version), "2025Q4", Institution.objects.all(), date(2026, 2, 1)
    )
    return differentiated


@pytest.mark.parametrize("version", ["2023", "2025"])
def test_an_area_s_institutions_are_scored_as_differentiated(area, client_for, version):
    form = {"code": "350100", "year": "2025", "reason": "农村金融改革试点"}
    client_for(area["other_head"]).post(reverse("evaluation-area-set"), form)
    client_for(area["reviewer"]).post(reverse("evaluation-area-set"), form)
    assert not AreaArrangement.objects.exists()  # not their area, not a head
    assert _differentiated(version) == set()
    client_for(area["head"]).post(reverse("evaluation-area-set"), form)
    arrangement = AreaArrangement.objects.get()
    assert (arrangement.office.code, arrangement.year) == ("350100", 2025)
    assert _differentiated(version) == {area["inside"].pk}
    assert ScoringRun.objects.filter(office__code="350100", period="2025").count() == 1
    page = client_for(area["head"]).get(reverse("evaluation-ranking") + "?period=2025")
    assert "农村金融改革试点" in page.content.decode()
    remove = reverse("evaluation-area-remove", args=[arrangement.pk])
    client_for(area["head"]).post(remove)
    assert not AreaArrangement.objects.exists() and _differentiated(version) == set()
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"evaluation.area_arrangement_set", "evaluation.area_arrangement_removed"} <= verbs
