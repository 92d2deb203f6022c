"""The loan-growth indicator (CS1) recomputed independently from the domain notes, section 6,
for every branch, under both schemes; and the grade bands at their edges.

Section 6: "full points if SME growth is at least all-loan growth (or meets a target the office
set); else, if the annual SME credit plan was met, points in proportion to SME growth /
all-loan growth; else 0; -3 if missed two years running; -4 if the SME balance fell two years
running. Differentiated institutions: full points when the plan is met, else in proportion to
increment / plan; 0 if no growth." The notes' "else ... else" order is the schemes' order:
met, then the plan, then the penalties."""

from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest

from supervision.evaluation import scheme as schemes
from supervision.evaluation.scoring import Inputs, grade_of, score
from supervision.evaluation.sentences import sentence

SCHEMES = [schemes.load("2023"), schemes.load("2025")]


def growth(now, start):
    return (now - start) * 100 / start


def by_the_notes(points: D, v: dict, differentiated: bool = False) -> D:
    """CS1 as section 6 words it, written without the scheme."""
    increment = v["sme_balance"] - v["sme_balance_start"]
    plan = v.get("credit_plan")
    if differentiated:
        if increment <= 0:
            return D(0)
        if increment >= plan:
            return points
        return (points * increment / plan).quantize(D("0.01"), ROUND_HALF_UP)
    sme = growth(v["sme_balance"], v["sme_balance_start"])
    everything = growth(v["all_balance"], v["all_balance_start"])
    office = v.get("office_target")
    if sme >= everything or (office is not None and sme >= office):
        return points
    if plan is not None and increment >= plan:
        share = points * sme / everything if sme > 0 and everything > 0 else D(0)
        return min(share, points).quantize(D("0.01"), ROUND_HALF_UP)
    fell_before = v.get("prior_sme_balance", 1) < v.get("prior_sme_balance_start", 0)
    if increment < 0 and fell_before:
        return D(-4)
    missed_before = "prior_sme_balance" in v and growth(
        v["prior_sme_balance"], v["prior_sme_balance_start"]
    ) < growth(v["prior_all_balance"], v["prior_all_balance_start"])
    if missed_before:
        return D(-3)
    return D(0)


GROWING = {"prior_sme_balance": D(1000), "prior_sme_balance_start": D(900)}
GROWING |= {"prior_all_balance": D(5000), "prior_all_balance_start": D(4800)}
MISSED = GROWING | {"prior_sme_balance": D(910)}  # +1.1% a year before against all loans' +4.2%
FELL = GROWING | {"prior_sme_balance": D(880)}  # fell a year before too
BASE = {"sme_balance_start": D(1000), "all_balance": D(5500), "all_balance_start": D(5000)}

CASES = {
    # name: (values, differentiated, the sentence's telling words, points)
    "met": (BASE | {"sme_balance": D(1100)}, False, "meets the target of 10%", D(8)),
    "office target met": (
        BASE | {"sme_balance": D(1050), "office_target": D(5), "credit_plan": D(80)},
        False,
        "the growth target the office set",
        D(8),
    ),
    "office target missed, plan met": (
        BASE | {"sme_balance": D(1050), "office_target": D(6), "credit_plan": D(50)},
        False,
        "but the annual SME credit plan is met: 4.00 of 8 points",
        D(4),
    ),
    "plan missed": (
        BASE | {"sme_balance": D(1050), "credit_plan": D(60)} | GROWING,
        False,
        "partial credit needs that the annual SME credit plan is met",
        D(0),
    ),
    "plan missed, missed two years running": (
        BASE | {"sme_balance": D(1050), "credit_plan": D(60)} | MISSED,
        False,
        "SME growth fell short of all-loan growth two years running",
        D(-3),
    ),
    "plan met although missed two years running": (
        BASE | {"sme_balance": D(1050), "credit_plan": D(50)} | MISSED,
        False,
        "the annual SME credit plan is met",
        D(4),
    ),
    "fell two years running": (
        BASE | {"sme_balance": D(950), "credit_plan": D(10)} | FELL,
        False,
        "the SME loan balance fell two years running",
        D(-4),
    ),
    "fell two years running but all loans fell more: met": (
        {"sme_balance": D(950), "sme_balance_start": D(1000)}
        | {"all_balance": D(4500), "all_balance_start": D(5000), "credit_plan": D(10)}
        | FELL,
        False,
        "meets the target of -10%",
        D(8),
    ),
    "differentiated, plan met": (
        BASE | {"sme_balance": D(1050), "credit_plan": D(50)},
        True,
        "meets the target",
        D(8),
    ),
    "differentiated, part of the plan": (
        BASE | {"sme_balance": D(1030), "credit_plan": D(60)},
        True,
        "in proportion",
        D(4),
    ),
    "differentiated, no growth": (
        BASE | {"sme_balance": D(990), "credit_plan": D(60)},
        True,
        "in proportion",
        D(0),
    ),
}


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.version)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_loan_growth_follows_section_6_in_every_branch(scheme, case):
    values, differentiated, words, points = CASES[case]
    indicator = scheme.indicator("CS1")
    assert (indicator.points, indicator.lowest) == (D(8), D(-4))  # -4 to 8 points
    line = score(scheme, Inputs("city_commercial", values, differentiated)).line("CS1")
    assert line.points == points == by_the_notes(indicator.points, values, differentiated)
    assert line.differentiated == differentiated
    assert words in sentence(line.reason, "en")


def test_the_office_target_is_read_from_the_arrangement_and_named_on_the_line():
    values = BASE | {"sme_balance": D(1050), "office_target": D(5)}
    line = score(SCHEMES[1], Inputs("city_commercial", values)).line("CS1")
    assert line.inputs["office_target"] == D(5) and line.met is True
    assert sentence(line.reason, "zh") == (
        "5%（目标值 10%），但达到监管部门为该行设定的增速目标：得满分 8 分。"
    )


def test_the_order_is_written_in_the_scheme():
    for scheme in SCHEMES:
        measure = scheme.indicator("CS1").measure
        assert measure is not None and measure.order == ("met", "partial", "penalties")


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.version)
@pytest.mark.parametrize(
    ("regular", "total", "label"),
    [
        ("100", "115", "1A"),
        ("100", "102.5", "1A"),
        ("100", "102.49", "1B"),
        ("90", "90", "1B"),
        ("89.99", "89.99", "2A"),
        ("82.5", "82.5", "2A"),
        ("82.49", "82.49", "2B"),
        ("75", "75", "2B"),
        ("74.99", "74.99", "3A"),
        ("67.5", "67.5", "3A"),
        ("60", "60", "3B"),
        ("60", "59.99", "4A"),  # a penalty below the floor's total: the bands give 4
        ("59.99", "59.99", "4A"),
        ("59.99", "74.99", "4A"),  # regular below 60: grade 4 whatever the bonus
        ("14.99", "14.99", "4B"),
    ],
)
def test_grade_bands_at_their_edges(scheme, regular, total, label):
    grade, band = grade_of(scheme, D(regular), D(total))
    assert f"{grade}{band}" == label


# The group branches: the 2025 notice III(III) sets the target for a group (large banks,
# joint-stock banks, a province's local legal-person banks); under its scheme a member whose
# group met the target gets full points although it alone did not. The 2023 notice sets no
# group target: the member is scored on its own growth, whatever its group did.
GROUP_MET = {"group_value": D("9.2"), "group_target": D(9)}
GROUP_MISSED = {"group_value": D("8.5"), "group_target": D(9)}
GROUP_CASES = {
    # name: (values, {scheme: (points, the sentence's telling words)})
    "group met, member met alone too": (
        BASE | {"sme_balance": D(1100)} | GROUP_MET,
        {"2023": (D(8), "meets the target of 10%"), "2025": (D(8), "meets the target of 10%")},
    ),
    "group met, member missed and its plan missed": (
        BASE | {"sme_balance": D(1050), "credit_plan": D(60)} | GROWING | GROUP_MET,
        {
            "2023": (D(0), "partial credit needs that the annual SME credit plan is met"),
            "2025": (D(8), "its group as a whole meets the growth target"),
        },
    ),
    "group met, member's plan met": (
        BASE | {"sme_balance": D(1050), "credit_plan": D(50)} | GROUP_MET,
        {
            "2023": (D(4), "the annual SME credit plan is met: 4.00 of 8 points"),
            "2025": (D(8), "its group as a whole meets the growth target"),
        },
    ),
    "group met, member fell two years running": (
        BASE | {"sme_balance": D(950), "credit_plan": D(10)} | FELL | GROUP_MET,
        {
            "2023": (D(-4), "the SME loan balance fell two years running"),
            "2025": (D(8), "its group as a whole meets the growth target"),
        },
    ),
    "group missed, member missed": (
        BASE | {"sme_balance": D(1050), "credit_plan": D(60)} | MISSED | GROUP_MISSED,
        {
            "2023": (D(-3), "SME growth fell short of all-loan growth two years running"),
            "2025": (D(-3), "SME growth fell short of all-loan growth two years running"),
        },
    ),
    "group with no figure: the member alone": (
        BASE | {"sme_balance": D(1050), "credit_plan": D(50), "group_target": D(9)},
        {
            "2023": (D(4), "the annual SME credit plan is met"),
            "2025": (D(4), "the annual SME credit plan is met"),
        },
    ),
}


def by_the_notice(points: D, v: dict, version: str) -> D:
    """CS1 with the group's target: under the 2025 notice a group that met it gives its
    members full points, in the notes' "met" branch; otherwise section 6 as above."""
    value, target = v.get("group_value"), v.get("group_target")
    met_alone = by_the_notes(points, v) == points
    if version == "2025" and value is not None and value >= target and not met_alone:
        return points
    return by_the_notes(points, v)


@pytest.mark.parametrize("scheme", SCHEMES, ids=lambda s: s.version)
@pytest.mark.parametrize("case", GROUP_CASES, ids=str)
def test_loan_growth_with_a_group_target_under_each_scheme(scheme, case):
    values, expected = GROUP_CASES[case]
    points, words = expected[scheme.version]
    line = score(scheme, Inputs("city_commercial", values)).line("CS1")
    assert line.points == points == by_the_notice(D(8), values, scheme.version)
    assert words in sentence(line.reason, "en")
    # A line that the group's figure decided shows that figure among its inputs.
    by_group = "its group" in sentence(line.reason, "en")
    assert (
        by_group == ("group_value" in line.inputs) == (line.inputs.get("group_value") == D("9.2"))
    )


def test_a_differentiated_member_is_scored_on_its_plan_whatever_its_group():
    values = BASE | {"sme_balance": D(1030), "credit_plan": D(60)} | GROUP_MET
    for scheme in SCHEMES:
        line = score(scheme, Inputs("city_commercial", values, differentiated=True)).line("CS1")
        assert line.points == D(4) == by_the_notes(D(8), values, differentiated=True)
