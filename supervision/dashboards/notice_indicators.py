"""The indicators of what the notices measure beyond the headline lending figures, on a
dashboard's sums: the key areas of 2023 and 2025, green and agriculture-related loans,
individual businesses' borrowers, credit over 10 million per borrower, the total cost of
financing and fees, NPL write-offs, the SME share of all loans and the share lent in weak
regions.

Each is defined once, in ``supervision.indicators`` (``NOTICE_DEFINITIONS``: formula,
comparison base, keep rising or a target, source article), where the evaluation schemes read
it too. A figure no return of the subtree reported (every return was of a version without its
column) is None, which the pages and the workbook show as "not reported under this version",
never as zero.
"""

from reporting.specs import get_spec
from supervision import indicators as shared
from supervision.dashboards.indicators import (
    UNIT_LABELS,
    Basis,
    Indicator,
    Sums,
    indicators,
)

SPEC_CODE = "SME-LOANS"
DEFINITIONS = shared.NOTICE_DEFINITIONS
BY_KEY = {d.key: d for d in DEFINITIONS}
# The figures the drill-down tables (by child office, by institution) show; the page of each
# child has them all.
DRILLED = (
    "sme_share",
    "weak_region_share",
    "private_balance",
    "green_balance",
    "agri_balance",
    "individual_borrowers",
    "financing_cost",
)
DRILLED_DEFINITIONS = tuple(BY_KEY[key] for key in DRILLED)
# The drill-down tables' column headings: each figure's name and unit.
DRILLED_HEADINGS = tuple((d.label, UNIT_LABELS.get(d.unit, d.unit)) for d in DRILLED_DEFINITIONS)


def _filed_columns(definition: shared.Definition) -> frozenset[str]:
    """The SME-LOANS columns a return must carry for the quarter's figure: those its value
    reads (derived names aside)."""
    names = definition.value.names - {"weak_sme_balance", "lpr", "npl_tolerance"}
    return frozenset(name for name in names if not name.startswith(("year_end_", "prior_")))


def reported_by(definition: shared.Definition, versions: dict[str, int]) -> tuple[int, int]:
    """(how many of the returns summed carry the figure, how many were summed), from the
    count of returns by version: a subtree mixing versions reports a new figure from some."""
    needed = _filed_columns(definition)
    carrying = sum(
        count
        for version, count in versions.items()
        if needed <= set(get_spec(SPEC_CODE, version).column_keys)
    )
    return carrying, sum(versions.values())


def notice_indicators(sums: Sums, basis: Basis, kind: str | None = None) -> list[Indicator]:
    """Every notice indicator of ``sums`` with its comparison."""
    return indicators(sums, basis, kind, DEFINITIONS)


def drilled(sums: Sums, basis: Basis, kind: str | None = None) -> list[Indicator]:
    """The drill-down tables' figures of ``sums``, in the tables' order."""
    return indicators(sums, basis, kind, DRILLED_DEFINITIONS)
