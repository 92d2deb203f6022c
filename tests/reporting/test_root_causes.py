"""Root causes first (issue 15, item 3): a cell that fails its own check is not used by the
rules that depend on it, the report lists causes before consequences, an inserted column is one
message and the data is still read by header name, a totals row is answered with "delete the
totals row", and a rate held as a percentage is read as the percentage the filer saw."""

import re
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reporting import pipeline, reader
from reporting.findings import render_message
from reporting.models import Filing, FilingStatus
from reporting.rules import Context, apply_rules
from reporting.spec import Severity
from reporting.workbooks import XLSX_CONTENT_TYPE
from tests import factories as f
from tests.reporting.returns import LOANS, loan_row, workbook


def report(path, spec=LOANS):
    """The findings in report order, and the table."""
    table = reader.read_return(path, spec)
    return apply_rules(table, Context.defaults()), table


def codes(findings, severity=None):
    return [f.rule.code for f in findings if severity is None or f.rule.severity == severity]


def test_one_negative_balance_is_one_error_and_one_not_checked_note(tmp_path):
    rows = [loan_row("350102"), loan_row("350103", sme_balance=-5)]
    found, _ = report(workbook(tmp_path / "neg.xlsx", rows))
    assert codes(found, Severity.ERROR) == ["V003"]
    assert codes(found)[0] == "V003"
    note = next(f for f in found if f.rule.code == "N001")
    assert note.count == 1 and note.examples[0].cell == "B4"
    message = render_message(note.rule, note.examples[0], LOANS, "en")
    assert "B4" in message and "SL-V101" in message and "SL-V109" in message


def test_an_amount_with_its_unit_typed_in_is_only_that_cell_s_error(tmp_path):
    rows = [loan_row(f"35010{i}", sme_balance="43530.21万元") for i in range(2, 7)]
    found, _ = report(workbook(tmp_path / "unit.xlsx", rows))
    assert codes(found, Severity.ERROR) == ["V002"]
    assert next(f for f in found if f.rule.code == "V002").count == 5


def _insert_column(at):
    def edit(wb):
        sheet = wb[LOANS.sheet]
        sheet.insert_cols(at)
        sheet.cell(1, at, "备注")
        sheet.cell(2, at, "Remarks")
        sheet.cell(3, at, "bank's own note")

    return edit


def test_an_inserted_column_is_one_message_and_the_data_is_read_by_heading(tmp_path):
    rows = [loan_row("350102"), loan_row("350103", sme_balance=-5)]
    found, table = report(workbook(tmp_path / "ins.xlsx", rows, edit=_insert_column(5)))
    assert codes(found, Severity.ERROR)[:2] == ["S011", "V003"]
    assert "S013" not in codes(found)
    inserted = next(f for f in found if f.rule.code == "S011")
    assert inserted.count == 1 and inserted.examples[0].value == "备注"
    assert table.frame["all_balance_start"][0] == 2800.0  # the column after the inserted one
    assert table.frame["consumption_balance"][0] == 30.0
    v003 = next(f for f in found if f.rule.code == "V003")
    assert v003.examples[0].cell == "B4"


def test_a_moved_column_is_named_once_and_read_by_heading(tmp_path):
    def edit(wb):
        sheet = wb[LOANS.sheet]
        sheet.move_range("D1:D3", cols=len(LOANS.columns) - 3)  # all_balance to the far right
        sheet.delete_cols(4)

    found, table = report(workbook(tmp_path / "moved.xlsx", [loan_row()], edit=edit))
    assert codes(found) == ["S013"]
    assert [e.column for e in found[0].examples] == ["all_balance"]
    assert table.frame["all_balance"][0] == 3000.0


def _with_sum_formulas(path, row):
    """Give every number of ``row`` an =SUM() of the rows above, cached as Excel would."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    index = openpyxl.load_workbook(path, read_only=True).sheetnames.index(LOANS.sheet)
    name = f"xl/worksheets/sheet{index + 1}.xml"
    text = parts[name].decode()
    text = re.sub(
        rf'(<c r="([A-Z]+){row}"(?: t="n")?>)<v>',
        lambda m: f"{m.group(1)}<f>SUM({m.group(2)}3:{m.group(2)}{row - 1})</f><v>",
        text,
    )
    parts[name] = text.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for member, data in parts.items():
            target.writestr(member, data)
    return path


def test_a_totals_row_is_answered_with_delete_the_totals_row(tmp_path):
    rows = [loan_row("350102"), loan_row("350103")]
    total = {k: (v * 2 if isinstance(v, int | float) else v) for k, v in loan_row().items()}
    rows.append({**total, "county": "合计"})
    path = _with_sum_formulas(workbook(tmp_path / "totals.xlsx", rows), 5)
    found, table = report(path)
    assert codes(found, Severity.ERROR) == ["V014"]
    assert not {"V007", "V009", "SL-Q202"} & set(codes(found))
    totals = found[0]
    assert totals.examples[0].row == 5
    assert "delete the totals row" in render_message(totals.rule, totals.examples[0], LOANS, "en")
    assert table.frame.height == 2
    # Its formulas are not read at all: no "formulas read as cached values" about them.
    assert "S021" not in codes(found)


def test_formulas_outside_the_totals_row_are_still_warned_about(tmp_path):
    rows = [loan_row("350102"), loan_row("350103"), loan_row("350104")]
    total = {k: (v * 3 if isinstance(v, int | float) else v) for k, v in loan_row().items()}
    rows.append({**total, "county": "合计"})
    path = _with_sum_formulas(_with_sum_formulas(workbook(tmp_path / "f.xlsx", rows), 5), 6)
    found, _ = report(path)
    s021 = next(f for f in found if f.rule.code == "S021")
    width = sum(isinstance(v, int | float) for v in loan_row().values())
    assert s021.count == width  # row 5's own formulas, none of the totals row 6
    assert s021.examples[0].cell.endswith("5")
    assert "6" not in s021.examples[0].params["detail"].replace(",", " ").split()


def test_a_subtotal_row_labelled_in_english_is_recognised(tmp_path):
    rows = [loan_row("350102"), {**loan_row(), "county": "Subtotal"}, loan_row("350103")]
    found, _ = report(workbook(tmp_path / "sub.xlsx", rows))
    assert codes(found, Severity.ERROR) == ["V014"]


def test_a_rate_formatted_as_percent_is_read_as_the_percentage_shown(tmp_path):
    def edit(wb):
        wb[LOANS.sheet]["M3"].number_format = "0.00%"

    path = workbook(tmp_path / "pct.xlsx", [loan_row(issued_rate=0.0323)], edit=edit)
    found, table = report(path)
    assert table.frame["issued_rate"][0] == 3.23
    assert codes(found) == ["N003"]
    note = found[0]
    assert note.rule.severity == Severity.NOTE and note.examples[0].cell == "M3"
    assert "3.23" in render_message(note.rule, note.examples[0], LOANS, "en")


def test_a_percent_sign_typed_in_a_rate_is_read_and_said(tmp_path):
    found, table = report(workbook(tmp_path / "r.xlsx", [loan_row(issued_rate="3.23%")]))
    assert table.frame["issued_rate"][0] == 3.23
    assert codes(found) == ["N003"]


def test_a_fraction_without_a_percent_format_is_still_a_warning(tmp_path):
    found, table = report(workbook(tmp_path / "f.xlsx", [loan_row(issued_rate=0.0385)]))
    assert table.frame["issued_rate"][0] == 0.0385
    assert codes(found) == ["SL-Q201"]


@pytest.mark.django_db
def test_the_filing_page_opens_with_the_two_causes(tmp_path, matrix, client_for):
    """A bank uploads a return with one negative balance and an inserted column: the report's
    first two lines are exactly those two causes, and nothing blames a correct cell."""
    request = f.ReturnRequestFactory(
        institution=matrix.bank_a,
        period="2025Q3",
        due_date=timezone.localdate() + timedelta(days=20),
    )
    rows = [loan_row("350102"), loan_row("350121", sme_balance=-5)]
    path = workbook(tmp_path / "loans.xlsx", rows, edit=_insert_column(5))
    client = client_for(matrix.users["bank_a"])
    content = path.read_bytes()
    upload = SimpleUploadedFile("loans.xlsx", content, content_type=XLSX_CONTENT_TYPE)
    response = client.post(
        reverse("request-detail", args=[request.pk]),
        {"action": "upload", "declared_size": len(content), "file": upload},
    )
    assert response.status_code == 302
    filing = Filing.objects.latest("pk")
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.REJECTED and filing.error_count == 2
    page = client.get(reverse("filing-detail", args=[filing.pk])).content.decode()
    shown = re.findall(r"<h3><a href=\"[^\"]*\"><code>([^<]+)</code>", page)
    assert shown[:2] == ["S011", "V003"]
    assert not {"SL-V101", "SL-V109"} & set(shown)
