"""The short way to the targets an institution misses (what the General Bureau's page counts
for thousands of them) says what its full figures say, for any sums and comparisons."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.models import InstitutionKind
from supervision.dashboards.indicators import RATE_WEIGHT, Basis, indicators, missed_targets
from supervision.dashboards.models import LENDING_FIGURES

AMOUNTS = st.one_of(st.none(), st.decimals(min_value=0, max_value=10**6, places=2))
COLUMNS = (*LENDING_FIGURES, RATE_WEIGHT)
SUMS = st.fixed_dictionaries({key: AMOUNTS for key in COLUMNS})
KINDS = st.one_of(st.none(), st.sampled_from(list(InstitutionKind.values)))


@given(
    sums=SUMS,
    year_end=st.one_of(st.none(), SUMS),
    last_year=st.one_of(st.none(), SUMS),
    lpr=st.one_of(st.none(), st.decimals(min_value=1, max_value=6, places=2)),
    kind=KINDS,
)
# Many columns to draw on a machine shared by many test runs: drawing may be slow.
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_the_targets_missed_are_those_the_figures_show_off_target(
    sums, year_end, last_year, lpr, kind
):
    basis = Basis(year_end, last_year, lpr, Decimal(3))
    shown = [i.key for i in indicators(sums, basis, kind) if i.on_target is False]
    assert missed_targets(sums, basis, kind) == shown


def test_first_time_borrowers_bind_only_large_and_joint_stock_banks():
    sums = {"first_time": Decimal(5)}
    basis = Basis(None, {"first_time": Decimal(9)}, None, Decimal(3))
    assert missed_targets(sums, basis, InstitutionKind.LARGE) == ["first_time"]
    assert missed_targets(sums, basis, InstitutionKind.RURAL_COMMERCIAL) == []
    assert missed_targets(sums, basis) == ["first_time"]  # a subtree's own figures
