"""Bonus B2 of the 2025 scheme follows the 2025 notice II(II)'s four key areas (foreign trade,
private enterprises, technology, consumption): a part per area, each judged on its own so that a
firm counted in two areas (a private technology firm) never adds up to more than either, and a
part whose figure the filing's return version does not carry says "not reported"."""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import translation

from portal.models import InstitutionKind, Role
from supervision import indicators as shared
from supervision.evaluation import scheme as schemes
from supervision.evaluation import selectors
from supervision.evaluation import services as service
from supervision.evaluation.models import Evaluation
from supervision.evaluation.scoring import Adjustment, Inputs, result_from_dict, score
from supervision.evaluation.sentences import sentence
from tests import factories as f
from tests.supervision.test_evaluation_scoring import CITY_BANK

S2025 = schemes.load("2025")
AREAS = ("foreign_trade", "private", "technology", "consumption")


def _parts(line) -> dict:
    return {part.code: part.points for part in line.parts}


def test_b2_has_a_part_per_key_area_of_the_2025_notice_citing_its_article():
    b2 = S2025.indicator("B2")
    assert [part.key for part in b2.parts] == list(AREAS)
    assert sum(part.points for part in b2.parts) == b2.points == D(10)
    assert "II(II)" in b2.source.en and "二（二）" in b2.source.zh
    read = set().union(*(part.measure.names for part in b2.parts))
    assert "private_balance" in read and "manufacturing_long_term" not in read


def test_each_areas_keep_rising_is_the_dashboards_definition():
    # The part's other way to full points is the key area's shared definition (its balance
    # against the previous year-end), so the dashboard and the scorecard agree on it.
    for part in S2025.indicator("B2").parts:
        column = part.measure.value.text.removeprefix("share(").split(",")[0]
        definition = shared.BY_KEY[column]
        (rising,) = part.measure.also_met
        assert rising.when.text == f"{definition.value.text} >= {definition.reference.text}"
        assert definition.direction == shared.AT_LEAST


def test_a_bank_whose_key_area_lending_is_to_private_firms_gets_credit_for_it():
    private_only = CITY_BANK | {
        "foreign_trade_balance": D(0),
        "technology_balance": D(0),
        "consumption_balance": D(0),
        "private_balance": D(770),  # 70% of SME loans
    }
    line = score(S2025, Inputs("city_commercial", private_only)).line("B2")
    assert _parts(line) == {
        "B2.foreign_trade": D(0),
        "B2.private": D("2.5"),
        "B2.technology": D(0),
        "B2.consumption": D(0),
    }
    assert line.points == D("2.5")
    assert line.inputs["private_balance"] == D(770)
    said = sentence(line.reason, "en")
    assert said.startswith("2.5 of 10 points from its parts:")
    assert "Private enterprises: 70% meets the target of 50%: full 2.5 points." in said


def test_overlapping_areas_are_each_judged_on_their_own():
    # The same private technology firms counted in both columns: each area earns its part,
    # neither more than its 2.5 points however large the overlap.
    overlap = CITY_BANK | {"technology_balance": D(1100), "private_balance": D(1100)}
    line = score(S2025, Inputs("city_commercial", overlap)).line("B2")
    assert _parts(line)["B2.technology"] == D("2.5")
    assert _parts(line)["B2.private"] == D("2.5")
    assert line.points == D(10)


def test_an_area_below_its_share_that_keeps_rising_gets_its_part():
    rising = CITY_BANK | {
        "technology_balance": D(55),  # 5% of SME loans, against a 10% target
        "year_end_technology_balance": D(50),
    }
    line = score(S2025, Inputs("city_commercial", rising)).line("B2")
    part = next(p for p in line.parts if p.code == "B2.technology")
    assert part.points == D("2.5")
    assert "not below the previous year-end" in sentence(part.reason, "en")
    fell = rising | {"year_end_technology_balance": D(60)}
    line = score(S2025, Inputs("city_commercial", fell)).line("B2")
    assert _parts(line)["B2.technology"] == D("1.25")  # 2.5 x 5/10, in proportion


def test_a_part_not_reported_under_the_filings_version_says_so_and_gives_no_points():
    old_version = CITY_BANK | {"private_balance": None}
    result = score(S2025, Inputs("city_commercial", old_version))
    line = result.line("B2")
    private = next(p for p in line.parts if p.code == "B2.private")
    assert private.points is None and private.missing == ("private_balance",)
    assert sentence(private.reason, "en") == (
        "Not reported under the return version filed (or left blank): private enterprises' "
        "balance. No points for this part."
    )
    assert "未报送" in sentence(private.reason, "zh")
    # The areas reported still count; the line names what was not reported.
    assert line.points == D("7.5") and line.scored
    assert line.missing == ("private_balance",)
    assert "not reported" in sentence(line.reason, "en").lower()
    # Stored and read back, the parts are kept.
    again = result_from_dict(result.as_dict()).line("B2")
    assert again == line
    # A reviewer's adjustment replaces the line's sentence; the parts keep theirs.
    reviewed = Inputs("city_commercial", old_version, adjustments={"B2": Adjustment(D(5), "核定")})
    adjusted = score(S2025, reviewed)
    assert adjusted.line("B2").points == D(5)
    assert result_from_dict(adjusted.as_dict()).line("B2").parts == line.parts


def test_nothing_reported_leaves_b2_not_scored():
    blank = CITY_BANK | {
        name: None
        for name in (
            "foreign_trade_balance",
            "technology_balance",
            "consumption_balance",
            "private_balance",
        )
    }
    line = score(S2025, Inputs("city_commercial", blank)).line("B2")
    assert line.points is None
    assert all(part.points is None for part in line.parts)


# -- from stored returns: the version filed decides what is reported ------------------------

ROW = {
    "county": "350102",
    "sme_balance": 1100,
    "sme_balance_start": 1000,
    "all_balance": 5500,
    "all_balance_start": 5000,
    "borrowers": 190,
    "borrowers_start": 200,
    "first_time": 19,
    "credit_balance": 330,
    "long_term_balance": 220,
    "renewal_balance": 55,
    "issued_ytd": 400,
    "issued_rate": D("4.10"),
    "sme_npl": 33,
    "all_npl": 55,
    "individual_balance": 220,
    "individual_borrowers": 40,
    "foreign_trade_balance": 110,
    "technology_balance": 110,
    "manufacturing_long_term": 110,
    "consumption_balance": 110,
    "private_balance": 660,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("version", "private"), [("2025", None), ("2025.2", D("2.5"))])
def test_the_private_part_reads_the_returns_version(version, private):
    province = f.office("350000", "甲省局", f.office("000000", "总局"))
    office = f.office("350100", "甲市分局", province)
    bank = f.InstitutionFactory(office=office, kind=InstitutionKind.CITY_COMMERCIAL)
    f.accepted_loans(bank, [ROW], "2025Q4", version=version)
    service.score_institutions("2025", type(bank).objects.filter(pk=bank.pk))
    evaluation = Evaluation.objects.get(institution=bank, period="2025")
    line = selectors.current_result(evaluation).line("B2")
    assert _parts(line)["B2.private"] == private
    assert line.points == D("7.5") + (private or 0)
    with translation.override("en"):
        if private is None:
            assert "Not reported under the return version filed" in sentence(line.reason)


@pytest.mark.django_db
def test_the_scheme_page_shows_b2s_article_and_each_area_with_its_target(client_for):
    bank = f.InstitutionFactory(office=f.office("350000", "甲省局"))
    client = client_for(f.member(Role.PREPARER, institution=bank))
    with translation.override("en"):
        page = client.get(reverse("evaluation-scheme", args=["2025"])).content.decode()
    b2 = page[page.index('data-code="B2"') :]
    assert "The 2025 notice II(II)" in b2 and "count a firm twice" in b2
    for area in AREAS:
        assert f'data-code="B2.{area}"' in b2
    private = b2[b2.index('data-code="B2.private"') : b2.index('data-code="B2.technology"')]
    assert "share(private_balance, sme_balance)" in private and "<code>50</code>" in private
    assert "or when its balance is not below the previous year-end" in private
