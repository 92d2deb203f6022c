"""The targets each institution misses, worked out by the database from the shared
definitions' formulas (``Formula.sql``), for the dashboards' query by institution
(``figures``): PostgreSQL's sums are exact, so it decides as ``missed_targets`` would."""

from decimal import Decimal

from supervision.dashboards.indicators import TARGETED_DEFINITIONS, WEIGHTED
from supervision.indicators import AT_LEAST


def targets_missed_sql(
    lpr: Decimal | None, tolerance: Decimal | None, named: str = "total_"
) -> str:
    """SQL for the keys of the targets an institution misses (``missed_targets``), over the
    sums of the quarter (``summed``), the previous year-end (``year_end``) and the same quarter
    last year (``prior``), each sum a column named ``named`` and its key, and the
    institution's kind (``institution.kind``)."""
    given = {"lpr": lpr, "npl_tolerance": tolerance}

    def column(name: str) -> str:
        if name in given:
            value = given[name]
            return "CAST(NULL AS NUMERIC)" if value is None else f"CAST('{value}' AS NUMERIC)"
        table = "summed"
        for prefix, compared in (("year_end_", "year_end"), ("prior_", "prior")):
            if name.startswith(prefix):
                table, name = compared, name.removeprefix(prefix)
        if name in WEIGHTED:
            weight, issued = WEIGHTED[name]
            return f"({table}.{named}{weight} / NULLIF({table}.{named}{issued}, 0))"
        return f"{table}.{named}{name}"

    missed = []
    for d in TARGETED_DEFINITIONS:
        value = d.value.sql(column)
        assert d.reference is not None, f"{d.key}: a target is met against a reference"
        reference = d.reference.sql(column)
        worse = "<" if d.direction == AT_LEAST else ">"
        binds = (
            " AND institution.kind IN ({})".format(", ".join(f"'{k}'" for k in sorted(d.binds)))
            if d.binds
            else ""
        )
        missed.append(f"CASE WHEN {value} {worse} {reference}{binds} THEN '{d.key}' END")
    return f"ARRAY_REMOVE(ARRAY[{', '.join(missed)}]::text[], NULL)"
