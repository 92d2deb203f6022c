"""The notice indicators are defined once (``supervision.indicators.NOTICE_DEFINITIONS``): an
evaluation scheme that names one scores it as the dashboards show it, and the dashboards'
ranking of institutions shows them with a drill-down to each institution's page."""

import copy
import json
from decimal import Decimal as D

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.models import InstitutionKind
from supervision import indicators as shared
from supervision.dashboards.indicators import COST_ISSUED, COST_WEIGHT, Basis, indicators, values
from supervision.evaluation import scheme as schemes
from supervision.evaluation.scoring import Inputs, score
from tests import factories as f
from tests.reporting.returns import revised_row

TARGETED = [d for d in shared.NOTICE_DEFINITIONS if d.direction]
PERIODS = {"year_end_": "year_end", "prior_": "prior_year"}
WEIGHTED = {"financing_cost": "issued_ytd"}
# Names the dashboards work out rather than read from a return column.
DERIVED = {"weak_sme_balance": "sme_balance"}


def _input(name: str) -> dict:
    """A scheme input for ``name`` as a scheme would declare it: a column of SME-LOANS, of
    the quarter, the previous year-end or the same quarter a year before."""
    prefix = next((p for p in PERIODS if name.startswith(p)), "")
    column = name.removeprefix(prefix)
    declared = {
        "source": "return",
        "spec": "SME-LOANS",
        "column": DERIVED.get(column, column),
        "period": PERIODS.get(prefix, "current"),
        "label": {"zh": column, "en": column},
    }
    if column in WEIGHTED:
        declared["weight"] = WEIGHTED[column]
    return declared


def _scheme_reading_the_notice_indicators() -> schemes.Scheme:
    """The 2025 scheme with a bonus line of no points for each targeted notice indicator,
    each naming its shared definition and nothing else."""
    path = schemes.SCHEME_DIR / "2025.json"
    data = copy.deepcopy(json.loads(path.read_text(encoding="utf-8")))
    for d in TARGETED:
        for name in d.names - set(data["inputs"]):
            data["inputs"][name] = _input(name)
        data["indicators"].append(
            {
                "code": f"N-{d.key}",
                "element": "bonus",
                "kind": "bonus",
                "points": 0,
                "name": {"zh": d.key, "en": d.key},
                "definition": d.key,
            }
        )
    return schemes.parse_scheme(data)


SCHEME = _scheme_reading_the_notice_indicators()
AMOUNT = st.decimals(min_value=1, max_value=10**6, places=2)
COLUMNS = (
    "sme_balance",
    "all_balance",
    "private_balance",
    "hard_hit_balance",
    "specialised_balance",
    "green_balance",
    "agri_balance",
    "individual_borrowers",
    "fees_ytd",
    "issued_ytd",
    "weak_sme_balance",
)
SUMS = st.fixed_dictionaries({key: AMOUNT for key in COLUMNS})


def test_a_scheme_may_name_every_targeted_notice_indicator_and_reads_its_formula():
    for d in TARGETED:
        measure = SCHEME.indicator(f"N-{d.key}").measure
        assert measure is not None
        assert (measure.value.text, measure.direction, measure.source) == (
            d.value.text,
            d.direction,
            d.source,
        )
    # A figure shown without a target cannot be scored.
    data = json.loads((schemes.SCHEME_DIR / "2025.json").read_text(encoding="utf-8"))
    data["indicators"].append(
        {
            "code": "N-write-off",
            "element": "bonus",
            "kind": "bonus",
            "points": 0,
            "name": {"zh": "核销", "en": "write-offs"},
            "definition": "npl_write_off_ytd",
        }
    )
    with pytest.raises(schemes.SchemeError, match="has no target"):
        schemes.parse_scheme(data)


@settings(max_examples=40, deadline=None)
@given(now=SUMS, year_end=SUMS, cost=AMOUNT, cost_before=AMOUNT)
def test_a_scheme_and_the_dashboard_agree_on_notice_indicators(now, year_end, cost, cost_before):
    """For the same figures (the dashboard's sums, under the names a scheme's inputs give),
    every targeted notice indicator gets the same verdict on the scorecard as on the
    dashboard."""
    now = {**now, COST_WEIGHT: cost * now["issued_ytd"], COST_ISSUED: now["issued_ytd"]}
    before = {
        **year_end,
        COST_WEIGHT: cost_before * year_end["issued_ytd"],
        COST_ISSUED: year_end["issued_ytd"],
    }
    basis = Basis(before, before, D("3.45"), D(3))
    shown = {i.key: i for i in indicators(now, basis, "city_commercial", shared.NOTICE_DEFINITIONS)}
    named = values(now, basis)
    result = score(SCHEME, Inputs(InstitutionKind.CITY_COMMERCIAL, named))
    lines = {line.code: line for line in result.lines}
    for d in TARGETED:
        line = lines[f"N-{d.key}"]
        assert line.met == shown[d.key].on_target, d.key


@pytest.mark.django_db
def test_the_ranking_shows_the_notice_figures_and_ranks_by_one(matrix, client_for):
    m = matrix
    f.accepted_loans(
        m.bank_a,
        [revised_row(m.county_a.code, green_balance=70, sme_balance=1000)],
        version="2025.2",
    )
    f.accepted_loans(
        m.bank_b,
        [revised_row(m.county_c.code, green_balance=300, sme_balance=500)],
        version="2025.2",
    )
    client = client_for(m.users["gb_head"])
    url = reverse("dashboard", kwargs={"code": m.gb.code})

    def ranking(**params) -> list:
        page = client.get(url, {"period": "2025Q3", **params})
        panels = {panel.key: data for panel, data in page.context["panels"]}
        return panels["institutions"]["ranking"]

    by_balance = ranking()
    assert [row.institution for row, _ in by_balance] == [m.bank_a, m.bank_b]
    assert by_balance[0][1]["green_balance"].value == D(70)
    by_green = ranking(rank="green_balance")
    assert [row.institution for row, _ in by_green] == [m.bank_b, m.bank_a]
    body = client.get(url, {"period": "2025Q3", "rank": "green_balance"}).content.decode()
    institution_page = reverse(
        "dashboard-institution", kwargs={"code": m.gb.code, "pk": m.bank_b.pk}
    )
    assert institution_page in body and 'data-notice="green_balance"' in body
    assert ranking(rank="no_such_figure")[0][0].institution == m.bank_a  # balance, as before
