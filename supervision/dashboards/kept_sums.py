"""The query by institution of a page that adds up every institution's returns, over the sums
kept per quarter (``InstitutionLending``, written by ``period_summaries``): a row per
institution and quarter already, so the rows are read as they are, each quarter's row joined
to its institution's rows of the quarters it is compared with (the same table, looked up by
its key) for the targets it misses, without adding anything up."""

import json
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection

from portal.models import Institution, Office
from supervision.dashboards.models import SUMMARY_FIGURES, InstitutionLending


def institution_query(
    office: Office,
    quarters: tuple[str, str, str],
    columns: tuple[str, ...],
    targets: str | None,
    ids: list[int] | None = None,
) -> tuple[str, list, list[str]]:
    """The SQL and parameters of the kept rows at ``office``'s path for ``quarters`` (the
    quarter, the previous year-end and the same quarter last year): each one's quarter,
    institution, ``columns`` (all when empty), returns by version, the institution's kind,
    its head office's path and, for the quarter, the targets it misses (``targets``, SQL over
    ``summed``, ``year_end`` and ``prior``: NULL when None); and the columns' names. Only the
    institutions ``ids`` when given (those a page shows, ``leaders``)."""
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
    if ids is not None:
        query += " AND summed.institution_id = ANY(%s)"
        params.append(ids)
    return query, params, names


def versions(value: str | dict) -> tuple[tuple[str, int], ...]:
    """The returns by version as read: JSON text (Django reads JSON as text and decodes it
    itself), or a dict."""
    return _parsed(value) if isinstance(value, str) else tuple(value.items())


@lru_cache(maxsize=64)
def _parsed(text: str) -> tuple[tuple[str, int], ...]:
    # Nearly every institution's text is the same ('{"2025.2": 1}'): decoded once.
    return tuple(json.loads(text).items())


@dataclass
class Leaders:
    """What a page needs of every institution's kept row for the quarter, worked out by the
    database: how many there are, how many miss each target, the returns summed by version,
    each child office's count of the institutions it supervises and of those missing no
    target, and the ids of the ``ranked`` largest by SME balance (their rows read apart)."""

    total: int
    missing: dict[str, int]
    versions: dict[str, int]
    counted: dict[str, list[int]]  # unit's path -> [institutions, on target]
    ids: list[int]


def leaders(office: Office, quarters: tuple[str, str, str], targets: str, ranked: int) -> Leaders:
    """One query over the kept rows at ``office``'s path (``quarters``: the quarter, the
    previous year-end and the same quarter last year; ``targets``, SQL of the targets missed
    as in ``institution_query``): the 4,270 institutions of the General Bureau's page are
    counted and ranked where they lie, and only the shown ones travel to the web process."""
    table = connection.ops.quote_name(InstitutionLending._meta.db_table)
    institutions, offices = Institution._meta.db_table, Office._meta.db_table
    period, year_end, last_year = quarters
    compared = " ".join(
        f"LEFT JOIN {table} {alias} ON {alias}.institution_id = summed.institution_id "
        f"AND {alias}.depth = summed.depth AND {alias}.path = summed.path "
        f"AND {alias}.period = %s"
        for alias in ("year_end", "prior")
    )
    width = len(office.path) + Office.steplen
    query = (
        f"WITH rows AS MATERIALIZED (SELECT summed.institution_id, summed.versions, "
        f"COALESCE(summed.sme_balance, 0) AS balance, office.path AS head, {targets} AS missed "
        f"FROM {table} summed JOIN {institutions} institution ON institution.id = "
        f"summed.institution_id JOIN {offices} office ON office.id = institution.office_id "
        f"{compared} WHERE summed.depth = %s AND summed.path = %s AND summed.period = %s) "
        # Grouped by the targets missed and the head office's child office (a few hundred
        # groups), by the versions summed (one or two), and ranked: each cheaper than unnesting
        # 4,270 arrays and documents, and added up here.
        "SELECT (SELECT json_agg(json_build_array(missed, unit, n)) FROM (SELECT missed, "
        "substr(head, 1, %s) AS unit, COUNT(*) AS n FROM rows GROUP BY 1, 2) missing), "
        "(SELECT json_agg(json_build_array(versions, n)) FROM (SELECT versions, COUNT(*) AS n "
        "FROM rows GROUP BY versions) versions), "
        "(SELECT array_agg(institution_id ORDER BY balance DESC, institution_id) FROM "
        "(SELECT institution_id, balance FROM rows ORDER BY balance DESC, institution_id "
        "LIMIT %s) largest)"
    )
    params: list[str | int] = [
        year_end,
        last_year,
        office.depth,
        office.path,
        period,
        width,
        ranked,
    ]
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        groups, by_versions, ids = cursor.fetchone()
    found = Leaders(0, {}, {}, {}, list(ids or []))
    for missed, unit, count in _decoded(groups):
        found.total += count
        for key in missed:
            found.missing[key] = found.missing.get(key, 0) + count
        if unit.startswith(office.path):  # supervised here (by head office)
            counted = found.counted.setdefault(unit, [0, 0])
            counted[0] += count
            counted[1] += 0 if missed else count
    versions: dict[str, int] = {}
    for summed, count in _decoded(by_versions):
        for version, returns in _decoded(summed).items():
            versions[version] = versions.get(version, 0) + returns * count
    found.versions = {key: versions[key] for key in sorted(versions) if versions[key]}
    return found


def _decoded(value: str | dict | list | None):
    """JSON as read (text, or decoded by the driver), decoded; [] for NULL (no rows)."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else value
