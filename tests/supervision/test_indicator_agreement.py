"""The dashboards and the evaluation schemes read each indicator from one definition
(``supervision.indicators``): for the same figures, a bank on target on its dashboard is on
target on its scorecard, under both schemes, for every share and rate indicator."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.models import Institution, InstitutionKind
from supervision import indicators as shared
from supervision.dashboards import figures
from supervision.dashboards.indicators import RATE_WEIGHT, Basis, indicators, values
from supervision.evaluation import scheme as schemes
from supervision.evaluation.models import Evaluation
from supervision.evaluation.scoring import Inputs, score
from supervision.evaluation.services import score_institutions
from tests import factories as f
from tests.reporting.returns import loan_row

SCHEMES = [schemes.load(version) for version in schemes.versions()]
DEFINED = {
    (scheme.version, indicator.code): indicator.measure.definition
    for scheme in SCHEMES
    for indicator in scheme.indicators
    if indicator.measure is not None and indicator.measure.definition
}


def test_every_share_and_rate_indicator_of_both_schemes_reads_a_shared_definition():
    for scheme in SCHEMES:
        defined = {
            code: key for (version, code), key in DEFINED.items() if version == scheme.version
        }
        assert defined == {
            "CS1": "loan_growth",
            "CS2": "borrowers",
            "CS3": "first_time",
            "CS3L": "first_time_share",
            "CS4": "npl_ratio",
            "CS5": "new_loan_rate",
            "KP1": "renewal_share",
            "PI1": "credit_share",
            "PI2": "long_term_share",
        }, scheme.version
        for code, key in defined.items():
            measure = scheme.indicator(code).measure
            assert measure is not None and measure.source == shared.definition(key).source


AMOUNT = st.decimals(min_value=1, max_value=10**6, places=2)
COLUMNS = (
    "sme_balance",
    "sme_balance_start",
    "all_balance",
    "all_balance_start",
    "borrowers",
    "borrowers_start",
    "first_time",
    "credit_balance",
    "long_term_balance",
    "renewal_balance",
    "issued_ytd",
    RATE_WEIGHT,
    "sme_npl",
    "all_npl",
)
SUMS = st.fixed_dictionaries({key: AMOUNT for key in COLUMNS})
KINDS = st.sampled_from([k for k in InstitutionKind.values if k != InstitutionKind.INSURER])


@settings(max_examples=60, deadline=None)
@given(now=SUMS, year_end=SUMS, last_year=SUMS, kind=KINDS, scheme=st.sampled_from(SCHEMES))
def test_dashboard_and_scheme_agree_on_any_figures(now, year_end, last_year, kind, scheme):
    """The yearly evaluation reads Q4 against the Q4 before: the previous year-end and the
    same quarter a year before are then the same quarter (``last_year`` plays both)."""
    tolerance = scheme.tolerance("npl_tolerance")
    basis = Basis(year_end, year_end, D("3.45"), tolerance)
    shown = {i.key: i for i in indicators(now, basis, kind)}
    result = score(scheme, Inputs(kind, values(now, basis)))
    for line in result.lines:
        key = DEFINED.get((scheme.version, line.code))
        if key is None or line.differentiated:
            continue
        on_dashboard = shown[key]
        assert line.met == on_dashboard.on_target, (scheme.version, line.code, key)
        if on_dashboard.unit == "%" and line.value is not None:
            # Both round to the cent (the scorecard half up, the dashboard half even).
            assert abs(line.value - on_dashboard.value) <= D("0.01"), (line.code, key)


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["2023", "2025"])
def test_a_constructed_banks_dashboard_and_scorecard_agree(version):
    """One bank files Q4 of two years; its dashboard for the later Q4 and its scorecard on the
    same returns agree indicator by indicator, from the database up."""
    year = 2024 if version == "2023" else 2025
    office = f.office("350000", "一致性省局", f.office("000000", "一致性总局"))
    f.office("350102", "一致性县支局", office)
    bank = f.InstitutionFactory(kind=InstitutionKind.CITY_COMMERCIAL, office=office)
    before = loan_row(credit_balance=280, long_term_balance=250, renewal_balance=100)
    f.accepted_loans(bank, [before], f"{year - 1}Q4")
    # Credit share up (30% > 28%), medium/long-term and renewal shares down, rate up, NPL
    # within tolerance, SME growth below all loans' growth.
    now = loan_row(
        sme_balance=1100,
        sme_balance_start=1000,
        all_balance=3300,
        all_balance_start=2800,
        credit_balance=330,
        long_term_balance=220,
        renewal_balance=55,
        issued_rate=3.95,
        first_time=13,
    )
    f.accepted_loans(bank, [now], f"{year}Q4")
    score_institutions(str(year), Institution.objects.filter(pk=bank.pk))
    evaluation = Evaluation.objects.get(institution=bank, period=str(year))
    assert evaluation.scheme_version == version
    shown = {
        i.key: i for i in figures.subtree_figures(office, f"{year}Q4", institution=bank).headline
    }
    lines = {line["code"]: line for line in evaluation.result["lines"]}
    met = {}
    for (each, code), key in DEFINED.items():
        if each != version or code not in lines:
            continue
        assert lines[code]["met"] == shown[key].on_target, (code, key)
        met[code] = lines[code]["met"]
    assert met == {
        "CS1": False,
        "CS2": True,
        "CS3L": True,
        "CS4": True,
        "CS5": False,
        "KP1": False,
        "PI1": True,
        "PI2": False,
    }
