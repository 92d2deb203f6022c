"""A public table as CSV (UTF-8 with a byte-order mark, which spreadsheets read as Chinese)
and as a workbook with its data dictionary; the dictionary alone as CSV. Text cells are
escaped so that nothing runs as a formula."""

import csv
import io

from reporting.workbooks import Sheet, rows_workbook, safe_text
from supervision.publication.dictionary import SUPPRESSED, Table, tables

DICTIONARY_HEADINGS = [
    "表 Table",
    "列 Column",
    "中文名称 Chinese name",
    "English name",
    "类型 Type",
    "含义",
    "Meaning",
]


def _headings(table: Table) -> list[str]:
    return [f"{c.zh} {c.en}" if c.zh != c.en else c.zh for c in table.columns]


def _row(table: Table, cells: dict) -> list:
    names = [cells.get("name_zh", ""), cells.get("name_en", "")]
    name = names[0] if names[0] == names[1] else f"{names[0]} {names[1]}"
    return [safe_text(name), *(cells.get(c.key) for c in table.columns[1:])]


def dictionary_rows(only: Table | None = None) -> list[list[str]]:
    rows = []
    for table in [only] if only else tables().values():
        for c in table.columns:
            rows.append([table.key, c.key, c.zh, c.en, c.kind, c.zh_meaning, c.en_meaning])
    return rows


def _notes(table: Table, quarter: str, min_cell: int) -> list[list[str]]:
    return [
        ["季度 Quarter", quarter],
        ["说明", table.zh_note],
        ["Note", table.en_note],
        [
            SUPPRESSED,
            f"少于 {min_cell} 件（家）的单元格不予公布 / cells built from fewer than {min_cell} "
            "complaints or institutions are suppressed",
        ],
    ]


def table_csv(table: Table, rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_headings(table))
    writer.writerows(_row(table, r) for r in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def dictionary_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(DICTIONARY_HEADINGS)
    writer.writerows(dictionary_rows())
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_xlsx(table: Table, rows: list[dict], quarter: str, min_cell: int) -> bytes:
    return rows_workbook(
        Sheet(table.key[:31], _headings(table), (_row(table, r) for r in rows)),
        Sheet("数据字典 Dictionary", DICTIONARY_HEADINGS, dictionary_rows(table)),
        Sheet("说明 Notes", ["", ""], _notes(table, quarter, min_cell)),
    )
