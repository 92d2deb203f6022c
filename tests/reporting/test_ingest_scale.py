"""Ingest at national scale (issue 21): the data sheet is parsed once, headings and data
from the same read, and stored rows hold to their filing without a database check per row."""

import fastexcel
import pytest
from openpyxl import load_workbook

from portal.models import Role
from reporting import pipeline
from reporting.models import Filing, FilingRow, FilingStatus
from tests import factories as f
from tests.reporting.returns import LOANS, loan_row, open_request, upload, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def preparer(matrix):
    return f.member(Role.PREPARER, institution=matrix.bank_a)


def test_the_data_sheet_is_parsed_once(tmp_path, matrix, preparer, monkeypatch):
    parsed: list[str] = []
    load_sheet = fastexcel.ExcelReader.load_sheet

    def counted(self, name, *args, **kwargs):
        parsed.append(name)
        return load_sheet(self, name, *args, **kwargs)

    monkeypatch.setattr(fastexcel.ExcelReader, "load_sheet", counted)
    rows = [loan_row("350102"), loan_row("350121")]
    filing = upload(preparer, open_request(matrix.bank_a), workbook(tmp_path / "l.xlsx", rows))

    pipeline.run(filing.pk)

    filing.refresh_from_db()
    assert (filing.status, filing.row_count) == (FilingStatus.VALID, 2)
    assert parsed.count(LOANS.sheet) == 1


def test_an_inserted_column_is_still_read_by_its_heading_from_the_one_read(
    tmp_path, matrix, preparer
):
    path = workbook(tmp_path / "l.xlsx", [loan_row("350102", sme_balance=1234)])
    book = load_workbook(path)
    sheet = book[LOANS.sheet]
    sheet.insert_cols(3)
    sheet["C1"], sheet["C3"] = "备注", "note"
    book.save(path)
    filing = upload(preparer, open_request(matrix.bank_a), path)

    pipeline.run(filing.pk)

    codes = set(Filing.objects.get(pk=filing.pk).hits.values_list("code", flat=True))
    # The one message, and the note that no earlier return exists: the figures, read by
    # heading, are all good.
    assert codes == {"S011", "N002"}


def test_a_deleted_filing_takes_its_stored_rows_with_it(tmp_path, matrix, preparer):
    rows = [loan_row("350102"), loan_row("350121")]
    filing = upload(preparer, open_request(matrix.bank_a), workbook(tmp_path / "l.xlsx", rows))
    pipeline.run(filing.pk)
    assert FilingRow.objects.filter(filing=filing).count() == 2

    Filing.objects.filter(pk=filing.pk).delete()

    assert not FilingRow.objects.filter(filing_id=filing.pk).exists()
