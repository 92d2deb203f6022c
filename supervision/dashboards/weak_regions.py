"""The SME lending in weak regions (``WeakRegion``, a division list kept as data) of a
dashboard's subtree, by quarter, child office and institution: one aggregate query, for the notice
indicator of the 2023 notice (十一): large banks lean toward weak regions."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import F, Q
from django.db.models.functions import Substr

from portal.models import Office
from reporting import periods
from supervision.dashboards.figures import accepted_rows, in_subtree, sums_by
from supervision.dashboards.indicators import Basis, Sums
from supervision.dashboards.models import WeakRegion

WEAK = "weak_sme_balance"  # the SME balance lent in weak-region counties


def balances(office: Office, period: str, filer: Q) -> dict[tuple[str, str, int], Decimal] | None:
    """(quarter, child office path, institution) -> SME balance in weak regions, for the
    quarter and the previous year-end; None when no weak region is listed."""
    if not WeakRegion.objects.exists():
        return None
    quarters = [period, periods.previous_year_end(period)]
    rows = (
        in_subtree(accepted_rows(quarters), office)
        .filter(filer, county__in=WeakRegion.objects.values("division"))
        .annotate(
            period=F("filing__period"),
            unit=Substr("county__office__path", 1, len(office.path) + Office.steplen),
            institution_id=F("filing__institution_id"),
        )
    )
    found = sums_by(rows, "period", "unit", "institution_id", columns=("sme_balance",))
    return {key: sums.get("sme_balance") or Decimal(0) for key, sums in found.items()}


def filer_of(among, institution, branch) -> Q:
    """The returns a dashboard adds up, as ``figures.subtree_figures`` chooses them."""
    chosen = Q(filing__institution__in=among.values("pk"))
    if branch is not None:
        chosen &= Q(filing__branch=branch)
    elif institution is not None:
        chosen &= Q(filing__institution=institution)
    return chosen


class Weak:
    """A page's weak-region balances, added to the sums and year-end sums of its child
    offices (``units``, their paths) or of one of its institutions: 0 where nothing was lent
    in a weak region, absent (not reported) while no weak region is listed."""

    def __init__(self, office: Office, period: str, filer: Q) -> None:
        self.period, self.year_end = period, periods.previous_year_end(period)
        found = balances(office, period, filer)
        self.listed = found is not None
        self.by_unit: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        self.by_institution: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        for (each, unit, pk), value in (found or {}).items():
            self.by_unit[(each, unit)] += value
            self.by_institution[(each, pk)] += value

    def _with(self, sums: Sums, period: str, units: list[str] | None, institution: int | None):
        if not self.listed:
            return sums
        if institution is not None:
            total = self.by_institution.get((period, institution), Decimal(0))
        else:
            total = sum(
                (
                    v
                    for (p, u), v in self.by_unit.items()
                    if p == period and (units is None or u in units)
                ),
                Decimal(0),
            )
        return {**sums, WEAK: total}

    def sums(self, sums: Sums, units: list[str] | None = None, institution: int | None = None):
        return self._with(sums, self.period, units, institution)

    def basis(self, basis: Basis, units: list[str] | None = None, institution: int | None = None):
        if basis.year_end is None:
            return basis
        year_end = self._with(basis.year_end, self.year_end, units, institution)
        return basis._replace(year_end=year_end)
