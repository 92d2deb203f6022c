"""Checking the files behind ``load_offices`` and ``load_institutions``.

A file is read as a stream of rows (CSV or .xlsx), every row is checked, and a plan is made:
what is new, what changed, what is already there. Nothing is written unless the whole file
passed; then the plan goes through ``portal.structure`` in one transaction.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from portal import divisions
from portal.identifiers import check_credit_code, check_division_code, normalise_code
from portal.models import Branch, Institution, InstitutionKind, Office
from portal.structure import BranchRow, InstitutionRow, OfficeRow, save_institutions, save_offices
from portal.tables import Column, Record, Report, header_key, open_table, records

NAME_LENGTH = 200
LICENCE_LENGTH = 30
# The one published example is B0001H111000001; the format is not confirmed, so it only warns.
LICENCE_RE = re.compile(r"^[A-Z]\d{4}[A-Z]\d{9}$")
BANK_CODE_RE = re.compile(r"^\d{12}$")


OFFICE_COLUMNS = (
    Column(
        "code", "区划代码", "division code (GB/T 2260), six digits; 000000 = General Bureau", True
    ),
    Column("name_zh", "中文名称", "Chinese name", True),
    Column("name_en", "英文名称", "English name, may be blank"),
    Column(
        "level",
        "层级",
        "1 General Bureau, 2 provincial bureau, 3 prefecture/city sub-bureau, 4 county office",
        True,
    ),
    Column("parent_code", "上级区划代码", "parent office's code, one level up; blank for level 1"),
)

INSTITUTION_COLUMNS = (
    Column("credit_code", "统一社会信用代码", "unified social credit code, 18 characters", True),
    Column("name_zh", "中文名称", "Chinese name", True),
    Column("name_en", "英文名称", "English name, may be blank"),
    Column(
        "kind",
        "机构类型",
        "legal entity: one of " + ", ".join(InstitutionKind.values) + "; branch: blank",
    ),
    Column(
        "office_code", "监管机构代码", "code of the supervising office (load offices first)", True
    ),
    Column("licence_code", "金融许可证号", "financial licence code, e.g. B0001H111000001"),
    Column("bank_code", "支付系统行号", "12-digit payment-system bank code (legal entities)"),
    Column(
        "parent_credit_code",
        "法人机构统一社会信用代码",
        "blank for a legal entity; for a branch, its legal entity's credit code",
    ),
)


FILE_HELP = (
    "FILE is .csv (UTF-8, with or without BOM, or GB18030 as Chinese Excel saves it) or .xlsx "
    "(first sheet). Row 1 is the header: the column keys below, or their Chinese labels, in any "
    "order. Credit codes and other codes are normalised first (full-width characters, spaces "
    "and lower case). Every bad row is reported as 'FILE line N: column X: reason' and nothing "
    "is loaded unless the whole file is good; loading the same file twice changes nothing."
)


def _text(record: Record, column: str, report: Report, *, required: bool = False) -> str:
    value = record[column]
    if required and not value:
        report.error(record.line, column, "required")
    elif len(value) > NAME_LENGTH:
        report.error(record.line, column, f"longer than {NAME_LENGTH} characters")
    return value


def _division(record: Record, column: str, report: Report, *, required: bool = True) -> str:
    raw = record[column]
    if not raw:
        if required:
            report.error(record.line, column, "required")
        return ""
    check = check_division_code(raw)
    if check.ok:
        return check.value
    hint = ""
    if set(check.value) == {"0"}:  # 000000 is the only code that starts with a zero
        hint = " (Excel drops leading zeros from numbers: format the column as text)"
    report.error(record.line, column, f"{check.error}, got {raw!r}{hint}")
    return ""


def _credit_code(record: Record, column: str, report: Report, *, required: bool) -> str:
    raw = record[column]
    if not raw:
        if required:
            report.error(record.line, column, "required")
        return ""
    check = check_credit_code(raw)
    note = f" (after normalising {raw!r} to {check.value})" if check.normalised else ""
    if not check.ok:
        report.error(record.line, column, f"{check.error}{note}")
        return ""
    if check.warning:
        report.warn(record.line, column, check.warning)
    if check.normalised and record.line not in report.normalised_lines[-1:]:
        report.normalised_lines.append(record.line)
    return check.value


def _no_stray_values(record: Record, report: Report) -> None:
    if record.stray:
        report.error(record.line, "", "a value stands in a column without a header")


# -- offices ---------------------------------------------------------------------------------

LEVELS = "1 (General Bureau), 2 (provincial bureau), 3 (sub-bureau) or 4 (county office)"


@dataclass
class Changes:
    """Rows sorted by what loading them would do."""

    new: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    unchanged: int = 0

    def add(self, row: OfficeRow | InstitutionRow | BranchRow, before: object | None) -> None:
        if before is None:
            self.new.append(row)
        elif before != row:
            self.changed.append(row)
        else:
            self.unchanged += 1

    @property
    def to_save(self) -> list:
        return self.new + self.changed

    def summary(self, what: str) -> str:
        return (
            f"{what}: {len(self.new)} created, {len(self.changed)} updated, "
            f"{self.unchanged} unchanged"
        )


@dataclass
class OfficePlan:
    report: Report
    offices: Changes = field(default_factory=Changes)


def plan_offices(path: str | Path) -> OfficePlan:
    """Read and check an offices file against itself and the offices already loaded."""
    table = open_table(path)
    report = Report(table.source, table.encoding)
    existing = existing_offices()
    rows: dict[str, tuple[int, OfficeRow]] = {}
    for record in records(table, OFFICE_COLUMNS):
        report.rows += 1
        row = _office_row(record, report)
        if row is None:
            continue
        if row.code in rows:
            first = rows[row.code][0]
            report.error(record.line, "code", f"{row.code} already appears on line {first}")
            continue
        rows[row.code] = (record.line, row)
    known = existing | {code: row for code, (_, row) in rows.items()}
    for line, row in rows.values():
        _check_office_place(line, row, known, existing.get(row.code), report)
    plan = OfficePlan(report)
    # Parents before children, as save_offices needs; levels are checked to step by one.
    for _, row in sorted(rows.values(), key=lambda item: item[1].level):
        plan.offices.add(row, existing.get(row.code))
    return plan


def existing_offices() -> dict[str, OfficeRow]:
    offices = list(Office.objects.values_list("code", "path", "level", "name_zh", "name_en"))
    code_at = {path: code for code, path, *_ in offices}
    return {
        code: OfficeRow(code, name_zh, name_en, level, code_at.get(path[: -Office.steplen]))
        for code, path, level, name_zh, name_en in offices
    }


def _office_row(record: Record, report: Report) -> OfficeRow | None:
    """Checks within one row; None when the code or level is unusable for the cross-row
    checks (the errors are already reported)."""
    _no_stray_values(record, report)
    line = record.line
    code = _division(record, "code", report)
    name_zh = _text(record, "name_zh", report, required=True)
    name_en = _text(record, "name_en", report)
    level_text = record["level"]
    level = int(level_text) if level_text in {"1", "2", "3", "4"} else 0
    if not level:
        report.error(
            line, "level", f"must be {LEVELS}, got {level_text!r}" if level_text else "required"
        )
    parent_code = _division(record, "parent_code", report, required=level > 1)
    if level == 1 and record["parent_code"]:
        report.error(line, "parent_code", "the General Bureau has no parent: leave it blank")
    if not (code and level):
        return None
    if problem := divisions.level_problem(code, level):
        report.error(line, "code", problem)
    return OfficeRow(code, name_zh, name_en, level, parent_code or None)


def _check_office_place(
    line: int,
    row: OfficeRow,
    known: dict[str, OfficeRow],
    before: OfficeRow | None,
    report: Report,
) -> None:
    if before is not None:
        # save_offices renames offices but never moves them; a move would need its subtree's
        # paths rewritten, which no loader should do silently.
        if before.parent_code != row.parent_code:
            where = f"under {before.parent_code}" if before.parent_code else "at the root"
            report.error(
                line,
                "parent_code",
                f"office {row.code} sits {where} in the portal; this loader does not move offices",
            )
        if before.level != row.level:
            report.error(line, "level", f"office {row.code} is level {before.level} in the portal")
    if row.level == 1 or not row.parent_code:
        return
    parent = known.get(row.parent_code)
    if parent is None:
        report.error(line, "parent_code", f"no office {row.parent_code} in this file or the portal")
        return
    if parent.level != row.level - 1:
        report.error(
            line,
            "level",
            f"level {row.level} under {row.parent_code}, which is level {parent.level}: "
            f"an office sits one level below its parent",
        )
    if not divisions.contains(row.parent_code, row.code):
        report.error(
            line, "code", f"{row.code} does not lie within parent {row.parent_code}'s division"
        )


def apply_offices(plan: OfficePlan) -> None:
    if not plan.report.ok:
        raise ValueError("refusing to load a file with errors")
    save_offices(plan.offices.to_save)


# -- institutions and branches ---------------------------------------------------------------


@dataclass
class InstitutionPlan:
    report: Report
    institutions: Changes = field(default_factory=Changes)
    branches: Changes = field(default_factory=Changes)


@dataclass(frozen=True)
class _Parsed:
    """One institutions-file row after its own checks."""

    line: int
    row: InstitutionRow | BranchRow
    kind: str  # as given; blank is allowed for a branch


def plan_institutions(path: str | Path) -> InstitutionPlan:
    """Read and check an institutions file (legal entities and branches, mixed)."""
    table = open_table(path)
    report = Report(table.source, table.encoding)
    offices = set(Office.objects.values_list("code", flat=True))
    parsed: dict[str, _Parsed] = {}
    for record in records(table, INSTITUTION_COLUMNS):
        report.rows += 1
        item = _institution_row(record, offices, report)
        if item is None:
            continue
        code = item.row.credit_code
        if code in parsed:
            first = parsed[code].line
            report.error(record.line, "credit_code", f"{code} already appears on line {first}")
            continue
        parsed[code] = item
    old_institutions = {
        values[0]: InstitutionRow(*values)
        for values in Institution.objects.values_list(
            "credit_code", "name_zh", "name_en", "kind", "office__code", "licence_code", "bank_code"
        )
    }
    old_branches = {
        values[0]: BranchRow(*values)
        for values in Branch.objects.values_list(
            "credit_code",
            "name_zh",
            "name_en",
            "institution__credit_code",
            "office__code",
            "licence_code",
        )
    }
    plan = InstitutionPlan(report)
    for item in parsed.values():
        if isinstance(item.row, InstitutionRow):
            _check_institution(item, old_branches, report)
            plan.institutions.add(item.row, old_institutions.get(item.row.credit_code))
        else:
            _check_branch(item, item.row, parsed, old_institutions, old_branches, report)
            plan.branches.add(item.row, old_branches.get(item.row.credit_code))
    return plan


def _institution_row(record: Record, offices: set[str], report: Report) -> _Parsed | None:
    _no_stray_values(record, report)
    line = record.line
    code = _credit_code(record, "credit_code", report, required=True)
    parent = _credit_code(record, "parent_credit_code", report, required=False)
    is_branch = bool(record["parent_credit_code"])
    if code and code == parent:
        report.error(line, "parent_credit_code", "a row cannot be its own legal entity")
    name_zh = _text(record, "name_zh", report, required=True)
    name_en = _text(record, "name_en", report)
    kind = _kind(record, report, required=not is_branch)
    office_code = _division(record, "office_code", report)
    if office_code and office_code not in offices:
        report.error(
            line, "office_code", f"no office {office_code} in the portal (load offices first)"
        )
    licence = _licence(record, report)
    bank_code = normalise_code(record["bank_code"])
    if bank_code and not BANK_CODE_RE.match(bank_code):
        report.error(
            line, "bank_code", f"a payment-system bank code is 12 digits, got {bank_code!r}"
        )
    elif bank_code and is_branch:
        report.warn(line, "bank_code", "the portal keeps no bank code for branches: ignored")
    if not code:
        return None
    if is_branch:
        return _Parsed(line, BranchRow(code, name_zh, name_en, parent, office_code, licence), kind)
    row = InstitutionRow(code, name_zh, name_en, kind, office_code, licence, bank_code)
    return _Parsed(line, row, kind)


def _kind(record: Record, report: Report, *, required: bool) -> str:
    raw = record["kind"]
    kind = header_key(raw)
    if not kind:
        if required:
            report.error(record.line, "kind", "required for a legal entity")
        return ""
    if kind not in InstitutionKind.values:
        allowed = ", ".join(InstitutionKind.values)
        report.error(record.line, "kind", f"{raw!r} is not one of: {allowed}")
        return ""
    return kind


def _licence(record: Record, report: Report) -> str:
    licence = normalise_code(record["licence_code"])
    if len(licence) > LICENCE_LENGTH:
        report.error(record.line, "licence_code", f"longer than {LICENCE_LENGTH} characters")
    elif licence and not LICENCE_RE.match(licence):
        report.warn(
            record.line,
            "licence_code",
            f"{licence} does not look like a licence code such as B0001H111000001 (kept as given)",
        )
    return licence


def _check_institution(item: _Parsed, old_branches: dict, report: Report) -> None:
    if item.row.credit_code in old_branches:
        report.error(item.line, "credit_code", f"{item.row.credit_code} is a branch in the portal")


def _check_branch(
    item: _Parsed,
    row: BranchRow,
    parsed: dict[str, _Parsed],
    old_institutions: dict[str, InstitutionRow],
    old_branches: dict[str, BranchRow],
    report: Report,
) -> None:
    column = "parent_credit_code"
    if row.credit_code in old_institutions:
        report.error(item.line, "credit_code", f"{row.credit_code} is a legal entity in the portal")
    parent_code = row.institution_credit_code
    if not parent_code:
        return  # the parent code itself was bad and is reported already
    in_file = parsed.get(parent_code)
    if in_file is not None and isinstance(in_file.row, BranchRow):
        report.error(item.line, column, f"{parent_code} is a branch (line {in_file.line})")
        return
    if in_file is not None:
        parent_kind = in_file.kind
    elif parent_code in old_institutions:
        parent_kind = old_institutions[parent_code].kind
    elif parent_code in old_branches:
        report.error(item.line, column, f"{parent_code} is a branch in the portal")
        return
    else:
        report.error(item.line, column, f"no legal entity {parent_code} in this file or the portal")
        return
    if item.kind and parent_kind and item.kind != parent_kind:
        report.error(
            item.line,
            "kind",
            f"{item.kind} differs from its legal entity's kind {parent_kind} (leave it blank)",
        )


def apply_institutions(plan: InstitutionPlan) -> None:
    if not plan.report.ok:
        raise ValueError("refusing to load a file with errors")
    save_institutions(plan.institutions.to_save, plan.branches.to_save)
