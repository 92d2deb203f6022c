"""The query by institution of a page that adds up every institution's returns, over the sums
kept per quarter (``InstitutionLending``, written by ``period_summaries``): a row per
institution and quarter already, so the rows are read as they are, each quarter's row joined
to its institution's rows of the quarters it is compared with (the same table, looked up by
its key) for the targets it misses, without adding anything up."""

import json
from functools import lru_cache

from django.db import connection

from portal.models import Institution, Office
from supervision.dashboards.models import SUMMARY_FIGURES, InstitutionLending


def institution_query(
    office: Office,
    quarters: tuple[str, str, str],
    columns: tuple[str, ...],
    targets: str | None,
) -> tuple[str, list, list[str]]:
    """The SQL and parameters of the kept rows at ``office``'s path for ``quarters`` (the
    quarter, the previous year-end and the same quarter last year): each one's quarter,
    institution, ``columns`` (all when empty), returns by version, the institution's kind,
    its head office's path and, for the quarter, the targets it misses (``targets``, SQL over
    ``summed``, ``year_end`` and ``prior``: NULL when None); and the columns' names."""
    names = list(columns or SUMMARY_FIGURES)
    table = connection.ops.quote_name(InstitutionLending._meta.db_table)
    institutions, offices = Institution._meta.db_table, Office._meta.db_table
    selected = ", ".join(f"summed.{connection.ops.quote_name(key)}" for key in names)
    period, year_end, last_year = quarters
    params: list = [period]
    compared = ""
    if targets is not None:
        # Only the quarter's rows are compared: the others are read for their sums.
        compared = " ".join(
            f"LEFT JOIN {table} {alias} ON {alias}.institution_id = summed.institution_id "
            f"AND {alias}.path = summed.path AND {alias}.period = %s AND summed.period = %s"
            for alias in ("year_end", "prior")
        )
        params += [year_end, period, last_year, period]
    query = (
        f"SELECT summed.period, summed.institution_id, {selected}, summed.versions, "
        f"institution.kind, office.path, CASE WHEN summed.period = %s THEN "
        f"{targets or 'NULL'} END FROM {table} summed "
        f"JOIN {institutions} institution ON institution.id = summed.institution_id "
        f"JOIN {offices} office ON office.id = institution.office_id {compared} "
        "WHERE summed.depth = %s AND summed.path = %s AND summed.period IN ({})".format(
            ", ".join(["%s"] * len(set(quarters)))
        )
    )
    params += [office.depth, office.path, *sorted(set(quarters))]
    return query, params, names


def versions(value: str | dict) -> tuple[tuple[str, int], ...]:
    """The returns by version as read: JSON text (Django reads JSON as text and decodes it
    itself), or a dict."""
    return _parsed(value) if isinstance(value, str) else tuple(value.items())


@lru_cache(maxsize=64)
def _parsed(text: str) -> tuple[tuple[str, int], ...]:
    # Nearly every institution's text is the same ('{"2025.2": 1}'): decoded once.
    return tuple(json.loads(text).items())
