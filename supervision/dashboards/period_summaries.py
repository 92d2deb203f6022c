"""The lending of each office and of each institution in it per quarter (``OfficeLending``,
``InstitutionLending``), summed over the accepted SME-LOANS returns in force.

They are rewritten, for the quarters and institutions of the returns just recorded, inside
the transaction that records them (``lending_rows.record``): the acceptance's own (through
reporting's ``filing_accepting``), that of history written straight to the tables, or the
sweep's. Each rewrite adds up the returns' summaries (``LendingSummary``) again rather than
adding or taking away one return, so a superseded or returned return simply drops out, a blank
figure stays blank, and running it twice changes nothing. On PostgreSQL a transaction lock per
quarter makes two acceptances of the same quarter rewrite one after the other, the second
reading what the first committed.
"""

import zlib
from collections import defaultdict

from django.db import connection
from django.db.models import Count, F, Field, Model, QuerySet, Sum

from reporting.models import Filing
from supervision.dashboards.models import (
    SPEC_CODE,
    SUMMARY_FIGURES,
    InstitutionLending,
    LendingSummary,
    OfficeLending,
)
from supervision.dashboards.summed_sql import accepted

LOCK_CLASS = 21_05  # this module's advisory locks: (LOCK_CLASS, the quarter's hash)


def _column(model: type[Model], name: str) -> str:
    found = model._meta.get_field(name)
    assert isinstance(found, Field) and found.column is not None, f"{name} has no column"
    return connection.ops.quote_name(found.column)


def touched(filings: QuerySet[Filing]) -> dict[str, set[int]]:
    """The quarters of these SME-LOANS returns and, for each, their institutions: what
    ``refresh`` rewrites (read before the returns are recorded, which may change what the
    queryset selects)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    chosen = filings.filter(spec_code=SPEC_CODE).values_list("period", "institution_id")
    for period, institution_id in chosen.order_by().distinct():
        wanted[period].add(institution_id)
    return wanted


def refresh(wanted: dict[str, set[int]]) -> None:
    """Rewrite the lending of these institutions in these quarters, and that of the offices
    their returns in force touch or touched, in the caller's transaction."""
    for period in sorted(wanted):
        _lock(period)
        paths = _institutions(period, sorted(wanted[period]))
        _offices(period, sorted(paths))


def _lock(period: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            key = zlib.crc32(period.encode()) & 0x7FFFFFFF
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, key])


def _sums() -> dict[str, Sum]:
    return {f"summed_{key}": Sum(key) for key in SUMMARY_FIGURES}


def _institutions(period: str, institution_ids: list[int]) -> set[str]:
    """Rewrite these institutions' rows of the quarter; returns the paths they had or have."""
    old = InstitutionLending.objects.filter(period=period, institution_id__in=institution_ids)
    paths = set(old.values_list("path", flat=True))
    old.delete()
    by_version = (
        accepted(LendingSummary, [period])
        .filter(filing__institution_id__in=institution_ids)
        .values("path", "depth", institution_id=F("filing__institution_id"))
        .annotate(version=F("filing__spec_version"))
        .values("path", "depth", "institution_id", "version")
        .annotate(returns=Count("filing", distinct=True), **_sums())
        .order_by()
        .values_list("path", "depth", "institution_id", "version", "returns", *_sums())
    )
    inner, params = by_version.query.sql_with_params()
    if connection.vendor == "postgresql":
        versions = "jsonb_object_agg(by_version.version, by_version.returns)"
    else:
        versions = "json_group_object(by_version.version, by_version.returns)"
    table = connection.ops.quote_name(InstitutionLending._meta.db_table)
    names = ("path", "depth", "institution", "versions", *SUMMARY_FIGURES, "period")
    columns = ", ".join(_column(InstitutionLending, name) for name in names)
    sums = ", ".join(f"SUM(by_version.summed_{key})" for key in SUMMARY_FIGURES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT by_version.path, by_version.depth, "
            f"by_version.institution_id, {versions}, {sums}, %s FROM ({inner}) by_version "
            "GROUP BY by_version.path, by_version.depth, by_version.institution_id",
            [period, *params],
        )
    now = InstitutionLending.objects.filter(period=period, institution_id__in=institution_ids)
    return paths | set(now.values_list("path", flat=True))


def _offices(period: str, paths: list[str]) -> None:
    """Rewrite the quarter's rows of the offices at these paths."""
    OfficeLending.objects.filter(period=period, path__in=paths).delete()
    if not paths:
        return
    summed = (
        accepted(LendingSummary, [period])
        .filter(path__in=paths)
        .values("path", "depth", "own")
        .annotate(returns=Count("filing", distinct=True), **_sums())
        .order_by()
        .values_list("path", "depth", "own", "returns", *_sums())
    )
    select, params = summed.query.sql_with_params()
    table = connection.ops.quote_name(OfficeLending._meta.db_table)
    names = ("path", "depth", "own", "returns", *SUMMARY_FIGURES, "period")
    columns = ", ".join(_column(OfficeLending, name) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT summed.*, %s FROM ({select}) summed",
            [period, *params],
        )
