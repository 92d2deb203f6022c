"""The SME lending in weak regions (``WeakRegion``, a division list kept as data) of a
dashboard's subtree, by quarter and child office: one aggregate query, for the notice
indicator of the 2023 notice (十一): large banks lean toward weak regions."""

from decimal import Decimal

from django.db.models import F, Q
from django.db.models.functions import Substr

from portal.models import Office
from reporting import periods
from supervision.dashboards.figures import accepted_rows, in_subtree, sums_by
from supervision.dashboards.indicators import Basis, Sums
from supervision.dashboards.models import WeakRegion

WEAK = "weak_sme_balance"  # the SME balance lent in weak-region counties


def balances(office: Office, period: str, filer: Q) -> dict[tuple[str, str], Decimal | None] | None:
    """(quarter, child office path) -> SME balance in weak regions, for the quarter and the
    previous year-end; None when no weak region is listed."""
    if not WeakRegion.objects.exists():
        return None
    quarters = [period, periods.previous_year_end(period)]
    rows = (
        in_subtree(accepted_rows(quarters), office)
        .filter(filer, county__in=WeakRegion.objects.values("division"))
        .annotate(
            period=F("filing__period"),
            unit=Substr("county__office__path", 1, len(office.path) + Office.steplen),
        )
    )
    found = sums_by(rows, "period", "unit", columns=("sme_balance",))
    return {key: sums.get("sme_balance") for key, sums in found.items()}


def filer_of(among, institution, branch) -> Q:
    """The returns a dashboard adds up, as ``figures.subtree_figures`` chooses them."""
    chosen = Q(filing__institution__in=among.values("pk"))
    if branch is not None:
        chosen &= Q(filing__branch=branch)
    elif institution is not None:
        chosen &= Q(filing__institution=institution)
    return chosen


def with_weak(sums: dict, weak: dict | None, period: str, units: list[str]) -> dict:
    """``sums`` with the weak-region balance of these units in ``period`` (0 where none was
    lent there, when weak regions are listed)."""
    if weak is None:
        return sums
    total = sum((weak.get((period, u)) or Decimal(0) for u in units), Decimal(0))
    return {**sums, WEAK: total}


class Weak:
    """A page's weak-region balances, added to the sums and year-end sums of its units."""

    def __init__(self, office: Office, period: str, filer: Q) -> None:
        self.period, self.year_end = period, periods.previous_year_end(period)
        self.found = balances(office, period, filer)

    def sums(self, sums: Sums, units: list[str]) -> Sums:
        return with_weak(sums, self.found, self.period, units)

    def basis(self, basis: Basis, units: list[str]) -> Basis:
        if basis.year_end is None:
            return basis
        return basis._replace(year_end=with_weak(basis.year_end, self.found, self.year_end, units))
