"""Scoring recomputed by hand for constructed institutions under both schemes, and its
properties (bounds, credit-supply points never fall with more SME lending, determinism)."""

from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervision.evaluation import scheme as schemes
from supervision.evaluation.scheme import SchemeError, parse_scheme
from supervision.evaluation.scoring import Adjustment, Inputs, result_from_dict, score
from supervision.evaluation.sentences import sentence

S2025 = schemes.load("2025")
S2023 = schemes.load("2023")

# A city commercial bank: SME loans 1,000 -> 1,100 (+10%), all loans 5,000 -> 5,500 (+10%),
# borrowers 200 -> 190 (-5%), 19 first-time borrowers (10% of 190, as a year before: 20 of
# 200), NPL ratios 3% (SME) and 1% (all), issued rate 4.10% against 4.00% last year, renewals
# 5% (10% at the previous year-end), credit loans 30% (28%), medium/long-term 20% (25%), each
# key area 10% (private enterprises 60%) and individual businesses 20% of SME loans.
CITY_BANK = {
    "sme_balance": D(1100),
    "sme_balance_start": D(1000),
    "all_balance": D(5500),
    "all_balance_start": D(5000),
    "borrowers": D(190),
    "borrowers_start": D(200),
    "first_time": D(19),
    "sme_npl": D(33),
    "all_npl": D(55),
    "issued_rate": D("4.10"),
    "year_end_issued_rate": D("4.00"),
    "year_end_sme_balance": D(1000),
    "year_end_credit_balance": D(280),
    "year_end_long_term_balance": D(250),
    "year_end_renewal_balance": D(100),
    "prior_first_time": D(20),
    "prior_borrowers": D(200),
    "renewal_balance": D(55),
    "credit_balance": D(330),
    "long_term_balance": D(220),
    "individual_balance": D(220),
    "foreign_trade_balance": D(110),
    "technology_balance": D(110),
    "manufacturing_long_term": D(110),
    "consumption_balance": D(110),
    "private_balance": D(660),
    "on_time_share": D(100),
    "first_valid_share": D(80),
    "misreported_rows": D(0),
}
REVIEWED = {"Q1": D(5), "Q2": D(4), "Q3": D(3), "Q4": D(5), "Q5": D(4), "B1": D(2)}


def _points(result) -> dict:
    return {line.code: line.points for line in result.lines}


def test_city_bank_under_the_2025_scheme_by_hand():
    result = score(S2025, Inputs("city_commercial", CITY_BANK, qualitative=REVIEWED))
    assert _points(result) == {
        "CS1": D(8),  # 10% growth meets all-loan growth of 10%
        "CS2": D(4),  # 190 lies halfway between 180 (nothing) and 200: 8 x 10/20
        "CS3L": D(6),  # first-time borrowers are 10% of borrowers, as a year before
        "CS4": D(8),  # NPL ratio 3% within 1% + 3 pp
        "CS5": D(8),  # 4.10% against 4.00%; nothing at 4.50%: 10 x 0.4/0.5
        "Q1": D(5),
        "Q2": D(4),
        "Q3": D(3),
        "KP1": D("2.5"),  # renewals 5% against 10% at the year-end: 5 x 5/10
        "Q4": D(5),
        "Q5": D(4),
        "PI1": D(8),  # credit loans 30%, up from 28%
        "PI2": D("5.6"),  # medium/long-term 20% against 25% at the year-end: 7 x 20/25
        "SD1": D(5),
        "SD2": D("2.5"),  # 80% valid at first upload; nothing at 60%: 5 x 20/40
        "SD3": D(5),
        "B1": D(2),
        "B2": D(10),  # each key area meets its share target (10%; private firms 50%)
    }
    assert result.regular == D("83.6")
    assert result.bonus == D(12)
    assert result.total == D("95.6")
    assert (result.grade, result.band) == (1, "B")  # 90 or more; below the 102.5 split
    assert result.complete
    growth = result.line("CS1")
    assert growth.inputs["sme_balance"] == D(1100) and growth.value == D(10)
    assert sentence(growth.reason, "en") == "10% meets the target of 10%: full 8 points."
    assert sentence(growth.reason, "zh") == "10%，达到目标值 10%：得满分 8 分。"


def test_city_bank_under_the_2023_scheme_by_hand():
    result = score(S2023, Inputs("city_commercial", CITY_BANK, qualitative=REVIEWED))
    points = _points(result)
    assert points["CS1"] == D(8)  # -4 to 8 points, as the domain notes give
    assert points["CS2"] == D(6)  # 12 x 10/20: coverage weighs more in 2023
    assert points["CS5"] == D("4.8")  # 6 x 0.4/0.5
    assert points["KP1"] == D("2.5")  # renewals 5% against 10% at the year-end
    assert points["PI1"] == D(8)  # 30%, up from 28%
    assert points["PI2"] == D("5.6")  # 20% against 25% at the year-end
    assert points["B2"] == D(10)  # individual businesses 20%: the target
    assert "B2" in points and result.line("B2").inputs == {
        "individual_balance": D(220),
        "sme_balance": D(1100),
    }
    # 8+6+6+8+4.8 + 12 + 2.5+5+4 + 8+5.6 + 5+2.5+5 = 82.4 regular; 2 + 10 bonus
    assert result.regular == D("82.4")
    assert result.total == D("94.4")
    assert result.label == "1B"


def test_partial_credit_for_growth_needs_the_credit_plan_met():
    slow = CITY_BANK | {"sme_balance": D(1050)}  # +5% against all loans' +10%
    plan_met = score(S2025, Inputs("city_commercial", slow | {"credit_plan": D(50)}))
    line = plan_met.line("CS1")
    assert line.points == D(4)  # 8 x 5/10
    assert line.met is False
    assert sentence(line.reason, "en") == (
        "5% is short of the target of 10%, but the annual SME credit plan is met: 4.00 of 8 "
        "points, in proportion."
    )
    plan_missed = score(S2025, Inputs("city_commercial", slow | {"credit_plan": D(60)}))
    assert plan_missed.line("CS1").points == 0
    assert "the annual SME credit plan is met" in sentence(plan_missed.line("CS1").reason, "en")


def test_a_missing_input_is_named_and_gives_no_points():
    no_history = CITY_BANK | {"year_end_issued_rate": None}
    result = score(S2025, Inputs("city_commercial", no_history, qualitative=REVIEWED))
    rate = result.line("CS5")
    assert rate.points is None
    assert rate.missing == ("year_end_issued_rate",)
    assert rate.inputs == {"issued_rate": D("4.10"), "year_end_issued_rate": None}
    assert sentence(rate.reason, "en") == (
        "Not scored: missing weighted rate of loans issued last year."
    )
    assert not result.complete
    assert [line.code for line in result.missing] == ["CS5"]
    # The total counts only what was scored: 95.6 without CS5's 8.
    assert result.total == D("87.6")


def test_partial_credit_that_needs_a_missing_plan_is_not_scored():
    slow = CITY_BANK | {"sme_balance": D(1050)}  # short of the target: partial credit needed
    growth = score(S2025, Inputs("city_commercial", slow)).line("CS1")
    assert growth.points is None and growth.missing == ("credit_plan",)
    assert sentence(growth.reason, "en") == (
        "Not scored: missing annual SME credit plan (increment)."
    )


def test_a_differentiated_institution_is_measured_against_its_plan():
    # SME loans fell this year and last: -4 for an ordinary bank...
    falling = CITY_BANK | {
        "sme_balance": D(1040),
        "sme_balance_start": D(1000),
        "all_balance": D(5600),
        "prior_sme_balance": D(900),
        "prior_sme_balance_start": D(950),
        "prior_all_balance": D(5000),
        "prior_all_balance_start": D(4800),
        "credit_plan": D(80),
    }
    ordinary = score(S2025, Inputs("rural_commercial", falling))
    # +4% against +12%, and last year -5.3% against +4.2%: missed two years running.
    assert ordinary.line("CS1").points == D(-3)
    # ...while a bank in risk resolution gets 8 x 40/80 for reaching half its plan.
    special = score(S2025, Inputs("rural_commercial", falling, differentiated=True))
    line = special.line("CS1")
    assert line.differentiated
    assert line.points == D(4)
    assert line.value == D(40) and line.target == D(80)
    fallen = falling | {"sme_balance": D(990)}
    assert score(S2025, Inputs("rural_commercial", fallen)).line("CS1").points == D(-4)
    assert (
        score(S2025, Inputs("rural_commercial", fallen, differentiated=True)).line("CS1").points
        == 0
    )


def test_applicability_by_institution_kind():
    large = {line.code for line in score(S2025, Inputs("large", CITY_BANK)).lines}
    assert "CS3" in large and "CS3L" not in large
    insurer = {line.code for line in score(S2025, Inputs("insurer", {})).lines}
    assert {"INS1", "INS2", "INS3", "INS4", "INS5", "Q1", "SD1", "B1"} <= insurer
    assert not insurer & {"CS1", "KP1", "PI1", "B2"}


def _bank_with_qualitative(q5: str) -> Inputs:
    # Q5 tunes the regular points: 83.6 - 4 + q5 (the other items as reviewed), bonus 10.
    return Inputs("city_commercial", CITY_BANK, qualitative=REVIEWED | {"Q5": D(q5), "B1": D(0)})


@pytest.mark.parametrize(
    ("q5", "total", "label"),
    [
        ("0.4", "90.00", "1B"),  # exactly on the line: grade 1
        ("0.39", "89.99", "2A"),
    ],
)
def test_grade_boundary_exactly_on_the_line(q5, total, label):
    result = score(S2025, _bank_with_qualitative(q5))
    assert result.total == D(total)
    assert result.label == label


def test_regular_points_below_the_floor_give_the_lowest_grade_whatever_the_bonus():
    # Qualitative items at 0 and full bonus: regular 83.6 - 21 = 62.6, bonus 15. Adjusting
    # PI1 from 8 to 5.4 puts the regular points exactly on the floor of 60.
    reviewed = {code: D(0) for code in ("Q1", "Q2", "Q3", "Q4", "Q5")} | {"B1": D(5)}

    def with_pi1(points: str):
        adjustment = {"PI1": Adjustment(D(points), "口径核实")}
        return score(
            S2025,
            Inputs("city_commercial", CITY_BANK, qualitative=reviewed, adjustments=adjustment),
        )

    on_floor = with_pi1("5.4")
    assert (on_floor.regular, on_floor.total) == (D(60), D(75))
    assert not on_floor.floor_applied and on_floor.label == "2B"  # 75 exactly: grade 2
    below = with_pi1("5.39")
    assert (below.regular, below.total) == (D("59.99"), D("74.99"))
    assert below.floor_applied and below.grade == 4  # the bonus lifts the total, not the grade


def test_an_adjustment_says_what_it_replaced_and_why():
    result = score(
        S2025,
        Inputs("city_commercial", CITY_BANK, adjustments={"KP1": Adjustment(D(4), "续贷口径")}),
    )
    line = result.line("KP1")
    assert (line.computed, line.points) == (D("2.5"), D(4))
    assert sentence(line.reason, "en") == (
        "Adjusted by the reviewer from 2.50 to 4 points: 续贷口径"
    )


def test_stored_results_read_back_exactly():
    result = score(S2025, Inputs("large", CITY_BANK, qualitative=REVIEWED))
    assert result_from_dict(result.as_dict()) == result


# -- scheme files ---------------------------------------------------------------------------


def _scheme_data(**changes) -> dict:
    import json

    data = json.loads((schemes.SCHEME_DIR / "2025.json").read_text())
    return data | changes


def test_a_formula_cannot_run_code():
    data = _scheme_data()
    data["indicators"][[i["code"] for i in data["indicators"]].index("SD1")]["value"] = (
        "sme_balance.__class__"
    )
    with pytest.raises(SchemeError, match="Attribute is not allowed"):
        parse_scheme(data)


def test_a_formula_reads_declared_inputs_only():
    data = _scheme_data()
    data["indicators"][[i["code"] for i in data["indicators"]].index("SD1")]["target"] = "mystery"
    with pytest.raises(SchemeError, match="undeclared inputs \\['mystery'\\]"):
        parse_scheme(data)


def test_an_indicator_with_a_shared_definition_cannot_restate_it():
    data = _scheme_data()
    data["indicators"][0]["target"] = "0"
    with pytest.raises(SchemeError, match="come from the definition 'loan_growth'"):
        parse_scheme(data)


def test_regular_points_must_add_up_for_every_kind():
    data = _scheme_data()
    data["indicators"][0]["points"] = 9
    with pytest.raises(SchemeError, match="add up to 101"):
        parse_scheme(data)


def test_the_scheme_follows_the_period():
    assert schemes.for_period("2024Q4").version == "2023"
    assert schemes.for_period("2025Q1").version == "2025"


# -- properties ------------------------------------------------------------------------------

AMOUNTS = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)
SCHEMES = st.sampled_from([S2023, S2025])
ALL_KINDS = tuple(sorted(schemes.KINDS))


@st.composite
def institutions(draw, kinds=ALL_KINDS):
    scheme = draw(SCHEMES)
    kind = draw(st.sampled_from(kinds))
    values = {name: draw(st.one_of(st.none(), AMOUNTS)) for name in sorted(scheme.inputs)}
    qualitative = {
        item.code: draw(st.one_of(st.none(), st.decimals(0, item.points, places=2)))
        for item in scheme.qualitative_items(kind)
    }
    inputs = Inputs(
        kind,
        values,
        differentiated=draw(st.booleans()),
        qualitative={k: v for k, v in qualitative.items() if v is not None},
    )
    return scheme, inputs


@settings(max_examples=200, deadline=None)
@given(institutions())
def test_scores_stay_within_bounds(case):
    scheme, inputs = case
    result = score(scheme, inputs)
    assert scheme.lower <= result.total <= scheme.upper
    assert result.grade in {band.grade for band in scheme.bands}
    for line in result.lines:
        indicator = scheme.indicator(line.code)
        assert line.points is None or indicator.lowest <= line.points <= indicator.points


BANK_KINDS = tuple(sorted(schemes.KINDS - {"insurer"}))


@settings(max_examples=200, deadline=None)
@given(institutions(kinds=BANK_KINDS), AMOUNTS, AMOUNTS)
def test_more_sme_lending_never_lowers_credit_supply_points(case, one, other):
    scheme, inputs = case
    less, more = sorted((one, other))

    def credit_supply(balance):
        values = {**inputs.values, "sme_balance": balance}
        result = score(scheme, replace(inputs, values=values))
        return {ln.code: ln.points for ln in result.lines if ln.element == "credit_supply"}

    before, after = credit_supply(less), credit_supply(more)
    for code, points in before.items():
        # A penalty needs no credit plan, partial credit does: a balance that escapes the
        # penalty may leave the line unscored for a missing plan, which is named, not lowered.
        if points is not None and after[code] is not None:
            assert after[code] >= points, code


@settings(max_examples=100, deadline=None)
@given(institutions())
def test_scoring_is_deterministic(case):
    scheme, inputs = case
    shuffled = replace(inputs, values=dict(reversed(list(inputs.values.items()))))
    assert score(scheme, inputs) == score(scheme, inputs) == score(scheme, shuffled)
    assert score(scheme, inputs).as_dict() == score(scheme, shuffled).as_dict()
