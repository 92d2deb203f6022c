"""Group and provincial targets (the 2025 notice III(III)): a head of office sets a growth
target on a group (here a province's local legal-person banks, or a list); the group's figure
adds up its members' accepted returns; under the 2025 scheme a member whose group met the
target gets full points on loan growth although it alone did not, under the 2023 scheme it is
scored alone; its scorecard shows the group's line either way."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import AuditEvent, Institution, InstitutionKind, Role
from supervision.evaluation import scheme as schemes
from supervision.evaluation.inputs import gather
from supervision.evaluation.models import Evaluation, GroupRule, ScoringRun, TargetGroup
from supervision.evaluation.services import opens_on, score_institutions
from tests import factories as f
from tests.reporting.returns import loan_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    gb = f.office("000000", "总局")
    p1 = f.office("350000", "甲省局", gb)
    county = f.office("350102", "鼓楼区", f.office("350100", "福州分局", p1))
    p2 = f.office("110000", "乙省局", gb)
    kind = InstitutionKind
    return {
        "slow": f.InstitutionFactory(office=county, kind=kind.CITY_COMMERCIAL),
        "fast": f.InstitutionFactory(office=p1, kind=kind.RURAL_COMMERCIAL),
        "large": f.InstitutionFactory(office=p1, kind=kind.LARGE),
        "elsewhere": f.InstitutionFactory(office=p2, kind=kind.CITY_COMMERCIAL),
        "head": f.member(Role.HEAD, office=p1),
        "other_head": f.member(Role.HEAD, office=p2),
        "reviewer": f.member(Role.REVIEWER, office=p1),
    }


def _file(institution: Institution, year: int, now: int, start: int = 1000) -> None:
    """Accepted Q4 returns of ``year``: the SME balance from ``start`` to ``now``, all loans up
    7.1%; a year before, SME loans grew as fast as all loans (no penalty)."""
    row = loan_row(sme_balance=now, sme_balance_start=start)
    f.accepted_loans(institution, [row], period=f"{year}Q4")
    f.accepted_loans(institution, [loan_row()], period=f"{year - 1}Q4")


def _cs1(institution: Institution, year: int):
    result = Evaluation.objects.get(institution=institution, period=str(year)).result
    return next(line for line in result["lines"] if line["code"] == "CS1")


GROUP = {"name": "甲省地方法人银行", "code": "350000", "rule": "local_legal_person", "target": "9"}


@pytest.mark.parametrize(("year", "group_counts"), [(2024, False), (2025, True)])
def test_a_member_of_a_group_that_met_its_target(province, client_for, year, group_counts):
    assert schemes.for_period(f"{year}Q4").version == str(year - 1 if year == 2024 else year)
    _file(province["slow"], year, now=1000)  # no growth: it alone misses
    _file(province["fast"], year, now=1300)  # the group: 2300 from 2000, 15% >= 9%
    _file(province["large"], year, now=1000)  # not a local legal-person bank
    form = GROUP | {"year": str(year)}
    client_for(province["other_head"]).post(reverse("evaluation-group-set"), form)
    client_for(province["reviewer"]).post(reverse("evaluation-group-set"), form)
    assert not TargetGroup.objects.exists()  # not their area, not a head
    client_for(province["head"]).post(reverse("evaluation-group-set"), form)
    group = TargetGroup.objects.get()
    assert (group.office.code, group.year, group.target) == ("350000", year, D(9))
    assert ScoringRun.objects.filter(office__code="350000", period=str(year)).count() == 1

    # Scoring the slow bank alone still reads the whole group's returns.
    only = Institution.objects.filter(pk=province["slow"].pk)
    score_institutions(str(year), only, today=opens_on(year))
    line = _cs1(province["slow"], year)
    assert (line["points"] == "8") == group_counts
    if group_counts:
        assert line["inputs"]["group_value"] == "15" and line["inputs"]["group_target"] == "9"
    score_institutions(str(year), today=opens_on(year))
    assert _cs1(province["large"], year)["points"] != "8"  # not in the group

    evaluation = Evaluation.objects.get(institution=province["slow"], period=str(year))
    page = client_for(province["head"]).get(reverse("evaluation-detail", args=[evaluation.pk]))
    text = page.content.decode()
    assert "甲省地方法人银行" in text and "15.00%" in text and "2 of 2 with returns" in text
    ranking = client_for(province["head"]).get(reverse("evaluation-ranking") + f"?period={year}")
    assert "甲省地方法人银行" in ranking.content.decode()
    elsewhere = client_for(province["other_head"]).get(
        reverse("evaluation-ranking") + f"?period={year}"
    )
    assert "甲省地方法人银行" not in elsewhere.content.decode()

    client_for(province["other_head"]).post(reverse("evaluation-group-remove", args=[group.pk]))
    assert TargetGroup.objects.exists()
    client_for(province["head"]).post(reverse("evaluation-group-remove", args=[group.pk]))
    assert not TargetGroup.objects.exists()
    score_institutions(str(year), only, today=opens_on(year))
    assert _cs1(province["slow"], year)["points"] != "8"
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"evaluation.target_group_set", "evaluation.target_group_removed"} <= verbs


def test_a_listed_group_takes_only_institutions_of_its_area(province, client_for):
    form = GROUP | {"year": "2025", "rule": "list", "name": "重点银行"}
    listed = f"{province['slow'].credit_code}, {province['elsewhere'].credit_code}"
    client_for(province["head"]).post(reverse("evaluation-group-set"), form | {"listed": listed})
    assert not TargetGroup.objects.exists()
    both = f"{province['slow'].credit_code} {province['large'].credit_code}"
    client_for(province["head"]).post(reverse("evaluation-group-set"), form | {"listed": both})
    group = TargetGroup.objects.get()
    assert set(group.listed.all()) == {province["slow"], province["large"]}


def _queries_to_score_from_scratch(year: int) -> int:
    Evaluation.objects.filter(period=str(year)).delete()
    with CaptureQueriesContext(connection) as queries:
        tally = score_institutions(str(year), today=opens_on(year))
    assert tally.scored == Evaluation.objects.filter(period=str(year)).count()
    return len(queries.captured_queries)


def test_the_groups_keep_the_query_count_flat(province):
    head = province["head"]
    p1 = province["fast"].office
    for institution in (province["slow"], province["fast"], province["large"]):
        _file(institution, 2025, now=1100)
    local = {"office": p1, "year": 2025, "target": 9, "set_by": head}
    TargetGroup.objects.create(name="地方法人银行", rule=GroupRule.LOCAL_LEGAL_PERSON, **local)
    listed = TargetGroup.objects.create(name="重点银行", rule=GroupRule.LIST, **local)
    listed.listed.set([province["slow"]])
    few = _queries_to_score_from_scratch(2025)

    more = [f.InstitutionFactory(office=p1, kind=InstitutionKind.VILLAGE) for _ in range(4)]
    for institution in more:
        _file(institution, 2025, now=1050)
    TargetGroup.objects.create(name="大型银行", rule=GroupRule.LARGE, **local)
    TargetGroup.objects.create(name="股份制银行", rule=GroupRule.JOINT_STOCK, **local)
    listed.listed.add(*more)
    assert _queries_to_score_from_scratch(2025) == few


@pytest.mark.parametrize(
    ("version", "words"),
    [("2023", "each member is scored on its own growth"), ("2025", "each member gets full points")],
)
def test_the_scheme_page_says_how_a_group_s_member_is_scored(client_for, version, words):
    user = f.member(Role.VIEWER, office=f.office("350000", "甲省局"))
    page = client_for(user).get(
        reverse("evaluation-scheme", args=[version]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert words in page.content.decode()


def test_a_member_of_two_groups_is_judged_by_the_one_that_did_best(province):
    _file(province["slow"], 2025, now=1000)
    _file(province["fast"], 2025, now=1300)
    common = {"office": province["fast"].office, "year": 2025, "set_by": province["head"]}
    TargetGroup.objects.create(
        name="地方法人银行", rule=GroupRule.LOCAL_LEGAL_PERSON, target=9, **common
    )  # 15%: met
    alone = TargetGroup.objects.create(name="单列", rule=GroupRule.LIST, target=5, **common)
    alone.listed.set([province["slow"]])  # 0%: missed
    only = Institution.objects.filter(pk=province["slow"].pk)
    values, _, _ = gather(schemes.load("2025"), "2025Q4", only, date(2026, 2, 1))
    slow = values[province["slow"].pk]
    assert (slow["group_value"], slow["group_target"]) == (D(15), D(9))
