"""The public tables of a quarter, read from the complaint statistics and the dashboards'
lending figures and suppressed cell by cell, and the releases and cases the public pages show.

Suppression (like a disclosure-controlled statistical release): a cell built from fewer than
``min_cell`` complaints (or institutions, for lending) is replaced by ``SUPPRESSED``, zero
excepted. So that a suppressed count cannot be worked out from its row's total, a row with one
suppressed category also loses its next smallest one; likewise down a column of counts.
"""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, F, QuerySet, Sum
from django.db.models.functions import Substr

from portal.models import Division, Office
from reporting import periods
from supervision.complaints.statistics import ComplaintFigures, nationwide, total
from supervision.dashboards.figures import accepted_rows
from supervision.publication.dictionary import SUPPRESSED, Column, tables
from supervision.publication.models import CaseStatus, StatisticsRelease, TypicalCase

Cell = str | int | None
Rows = list[dict[str, Cell]]


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """The quarter's first day and the day after its last."""
    return periods.quarter_start(quarter), periods.quarter_end(quarter) + timedelta(days=1)


def _percent(share: Decimal | None) -> str | None:
    return None if share is None else str((share * 100).quantize(Decimal("0.1")))


def _figure_row(row: ComplaintFigures) -> dict:
    """A complaint figures row's cells and the counts they are built from."""
    cells: dict = {
        "name_zh": row.name_zh,
        "name_en": row.name_en,
        "complaints": row.total,
        "answered": row.answered,
        "on_time_share": _percent(row.on_time_share),
        "mean_days": None if row.mean_response_days is None else str(row.mean_response_days),
        "reopen_share": _percent(row.reopen_share),
        "rated": row.rated,
        "mean_rating": None if row.mean_rating is None else str(row.mean_rating),
        "satisfied_share": _percent(row.satisfied_share),
        "solved_share": _percent(row.solved_share),
    }
    for category, n in row.by_category.items():
        cells[f"category_{category}"] = n
    return cells


def _suppress_row(cells: dict, columns: tuple[Column, ...], min_cell: int) -> dict:
    """The row with each cell built from too few complaints replaced; a row built from too
    few in all is suppressed whole (no breakdown)."""
    out = {"name_zh": cells["name_zh"], "name_en": cells["name_en"]}
    whole = columns[1].basis
    for column in columns[1:]:
        basis = cells.get(column.basis, 0) or 0
        too_few = 0 < int(basis) < min_cell or 0 < int(cells.get(whole, 0) or 0) < min_cell
        out[column.key] = SUPPRESSED if too_few else cells.get(column.key)
    _second_smallest([c.key for c in columns if c.key.startswith("category_")], out)
    return out


def _second_smallest(keys: list[str], out: dict) -> None:
    """With one cell of ``keys`` suppressed, suppress the next smallest non-zero one too."""
    if [out.get(k) for k in keys].count(SUPPRESSED) != 1:
        return
    shown = [(out[k], k) for k in keys if isinstance(out.get(k), int) and out[k]]
    if shown:
        out[min(shown)[1]] = SUPPRESSED


def _suppress_column(rows: Rows, key: str) -> None:
    """Down a column of counts: with one row's cell suppressed, suppress the next smallest."""
    if [r.get(key) for r in rows].count(SUPPRESSED) != 1:
        return
    shown = [(r[key], i) for i, r in enumerate(rows) if isinstance(r.get(key), int) and r[key]]
    if shown:
        rows[min(shown)[1]][key] = SUPPRESSED


def _table(key: str, rows: list[dict], min_cell: int) -> Rows:
    columns = tables()[key].columns
    out = [_suppress_row(r, columns, min_cell) for r in rows]
    for column in columns:
        if column.kind == "count":
            _suppress_column(out, column.key)
    return out


def _provinces(rows: list[ComplaintFigures]) -> list[ComplaintFigures]:
    """Province rows named by their division (福建省), not by the regulator's office."""
    offices = Office.objects.in_bulk([r.key for r in rows if r.key is not None])
    names = Division.objects.in_bulk([o.code for o in offices.values()], field_name="code")
    for row in rows:
        division = names.get(offices[row.key].code) if row.key in offices else None
        if division is not None:
            row.name_zh, row.name_en = division.name_zh, division.name_en or division.name_zh
    return rows


def complaint_tables(quarter: str, min_cell: int) -> dict[str, Rows]:
    start, end = quarter_bounds(quarter)
    grouped: dict[str, Callable[[], list[ComplaintFigures]]] = {
        "complaints-by-category": lambda: nationwide(start, end, "category"),
        "complaints-by-province": lambda: _provinces(nationwide(start, end, "province")),
        "complaints-by-kind": lambda: nationwide(start, end, "kind"),
    }
    out = {}
    for key, read in grouped.items():
        rows = read()
        rows.append(total(rows, "全国", "Nationwide"))
        out[key] = _table(key, [_figure_row(r) for r in rows], min_cell)
    return out


def _lending_rows(quarter: str) -> QuerySet:
    weighted = Sum(F("issued_rate") * F("issued_ytd"), output_field=DecimalField())
    return (
        accepted_rows([quarter])
        .annotate(province=Substr("county_id", 1, 2))
        .values("province")
        .annotate(
            institutions=Count("filing__institution", distinct=True),
            balance=Sum("sme_balance"),
            start=Sum("sme_balance_start"),
            borrowers=Sum("borrowers"),
            issued=Sum("issued_ytd"),
            weighted=weighted,
        )
        .order_by("province")
    )


def _lending_cells(name_zh: str, name_en: str, r: dict) -> dict:
    def number(value) -> Decimal:
        return Decimal(str(value or 0))

    balance, start, issued = number(r["balance"]), number(r["start"]), number(r["issued"])
    growth = (balance - start) / start * 100 if start else None
    rate = number(r["weighted"]) / issued if issued else None
    return {
        "name_zh": name_zh,
        "name_en": name_en,
        "institutions": r["institutions"],
        # Filed in 10,000 CNY; published in 100 million.
        "balance": str((balance / 10000).quantize(Decimal("0.01"))),
        "growth": None if growth is None else str(growth.quantize(Decimal("0.1"))),
        "borrowers": int(number(r["borrowers"])),
        "rate": None if rate is None else str(rate.quantize(Decimal("0.01"))),
    }


def lending_table(quarter: str, min_cell: int) -> Rows:
    found = list(_lending_rows(quarter))
    names = Division.objects.in_bulk([f"{r['province']}0000" for r in found], field_name="code")
    rows = []
    for r in found:
        division = names.get(f"{r['province']}0000")
        zh = division.name_zh if division else r["province"]
        rows.append(_lending_cells(zh, division.name_en if division else zh, r))
    everything: dict[str, Decimal | int] = {
        k: sum((Decimal(str(r[k] or 0)) for r in found), Decimal(0))
        for k in ("balance", "start", "borrowers", "issued", "weighted")
    }
    # Institutions lending in several provinces count once nationwide.
    everything["institutions"] = len(
        {i for i in accepted_rows([quarter]).values_list("filing__institution", flat=True)}
    )
    rows.append(_lending_cells("全国", "Nationwide", everything))
    return _table("lending-by-province", rows, min_cell)


# -- what the public pages read --------------------------------------------------------------


def releases() -> QuerySet[StatisticsRelease]:
    return StatisticsRelease.objects.only("quarter", "built_at").order_by("-quarter")


def release(quarter: str) -> StatisticsRelease | None:
    return StatisticsRelease.objects.filter(quarter=quarter).first()


def published_cases() -> QuerySet[TypicalCase]:
    return TypicalCase.objects.filter(status=CaseStatus.PUBLISHED).select_related("office")
