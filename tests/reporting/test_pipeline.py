"""The worker's pipeline: a filing is claimed, read, checked, and its issues, rows and status
are stored together; running it twice, or after a lost worker, leaves exactly one result."""

import contextlib
from datetime import date, timedelta
from decimal import Decimal

import psycopg
import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from portal.models import Role
from reporting import pipeline, watchdog
from reporting.models import Filing, FilingRow, FilingStatus, RuleHit
from reporting.tasks import validate_filing
from tests import factories as f
from tests.reporting.returns import LOANS, RESULT, loan_row, open_request, upload, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(matrix):
    return matrix.bank_a


@pytest.fixture
def preparer(bank):
    return f.member(Role.PREPARER, institution=bank)


def _file(tmp_path, rows, name="loans.xlsx"):
    return workbook(tmp_path / name, rows)


def test_a_clean_return_is_valid_with_its_rows_stored(tmp_path, bank, preparer):
    request = open_request(bank)
    filing = upload(preparer, request, _file(tmp_path, [loan_row("350102"), loan_row("350121")]))
    assert filing.status == FilingStatus.RECEIVED and filing.version == 1
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    assert (filing.status, filing.row_count, filing.progress) == (FilingStatus.VALID, 2, 100)
    rows = list(FilingRow.objects.filter(filing=filing).order_by("row"))
    assert [(r.row, r.key) for r in rows] == [(3, "350102"), (4, "350121")]
    values = rows[0].values(LOANS)
    assert values["sme_balance"] == Decimal(1000) and values["borrowers"] == 120


def test_errors_reject_the_filing_and_store_no_rows(tmp_path, bank, preparer):
    request = open_request(bank)
    filing = upload(preparer, request, _file(tmp_path, [loan_row(credit_balance=5000)]))
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.REJECTED
    hit = RuleHit.objects.get(filing=filing, code="SL-V101")
    assert hit.count == 1 and hit.examples[0]["cell"] == "I3"
    assert not FilingRow.objects.filter(filing=filing).exists()


def test_warnings_need_confirmation(tmp_path, bank, preparer):
    filing = upload(preparer, open_request(bank), _file(tmp_path, [loan_row(issued_rate=0.04)]))
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.NEEDS_CONFIRMATION
    assert filing.warning_count == 1 and filing.error_count == 0


def test_an_unreadable_upload_is_rejected_and_kept(tmp_path, bank, preparer):
    path = tmp_path / "notes.xlsx"
    path.write_text("county,balance\n350102,12\n", encoding="utf-8")
    filing = upload(preparer, open_request(bank), path)
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.REJECTED
    assert list(filing.hits.values_list("code", flat=True)) == ["S001"]
    assert filing.file.read().startswith(b"county")


def test_running_twice_leaves_one_result(tmp_path, bank, preparer):
    filing = upload(preparer, open_request(bank), _file(tmp_path, [loan_row()]))
    pipeline.run(filing.pk)
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    assert filing.attempts == 1
    assert FilingRow.objects.filter(filing=filing).count() == 1


def test_a_lost_worker_is_noticed_requeued_and_completes(
    tmp_path, bank, preparer, django_capture_on_commit_callbacks
):
    filing = upload(preparer, open_request(bank), _file(tmp_path, [loan_row()]))
    # A worker claimed it and died: validating, silent for longer than the limit.
    Filing.objects.filter(pk=filing.pk).update(
        status=FilingStatus.VALIDATING,
        attempts=1,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )
    with django_capture_on_commit_callbacks() as queued:
        assert watchdog.requeue_stuck(600) == [filing.pk]
    filing.refresh_from_db()
    assert (filing.status, filing.requeued, filing.phase) == (FilingStatus.RECEIVED, 1, "requeued")
    assert len(queued) == 1
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.VALID and filing.attempts == 2


def test_a_superseded_attempt_writes_nothing(tmp_path, bank, preparer):
    filing = upload(preparer, open_request(bank), _file(tmp_path, [loan_row()]))
    first = pipeline._claim(filing.pk)
    outcome = pipeline.validate(Filing.objects.get(pk=filing.pk))
    # Meanwhile the sweeper gave it to another worker, which finished.
    Filing.objects.filter(pk=filing.pk).update(status=FilingStatus.RECEIVED)
    pipeline.run(filing.pk)
    pipeline._store(filing.pk, first, outcome)
    assert FilingRow.objects.filter(filing=filing).count() == 1
    assert Filing.objects.get(pk=filing.pk).attempts == 2


def test_a_crash_while_storing_leaves_nothing_half_written(tmp_path, bank, preparer, monkeypatch):
    filing = upload(preparer, open_request(bank), _file(tmp_path, [loan_row()]))

    def crash(filing, table):
        FilingRow.objects.create(filing=filing, row=3, key="x", data={})
        raise RuntimeError("worker killed")

    monkeypatch.setattr(pipeline, "store_rows", crash)
    with pytest.raises(RuntimeError):
        pipeline.run(filing.pk)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.VALIDATING
    assert not FilingRow.objects.filter(filing=filing).exists()
    assert not RuleHit.objects.filter(filing=filing).exists()


def test_start_of_year_figures_are_checked_against_last_years_accepted_q4(tmp_path, bank, preparer):
    q4 = upload(preparer, open_request(bank, period="2024Q4"), _file(tmp_path, [loan_row()]))
    pipeline.run(q4.pk)
    Filing.objects.filter(pk=q4.pk).update(status=FilingStatus.ACCEPTED, is_current=True)
    q1 = upload(
        preparer,
        open_request(bank, period="2025Q1"),
        _file(tmp_path, [loan_row(sme_balance_start=999)], "q1.xlsx"),
    )
    pipeline.run(q1.pk)
    hit = RuleHit.objects.get(filing=q1, code="SL-C301")
    assert hit.rule_class == "cross_period"
    assert hit.examples[0]["params"]["expected"] == 1000


def test_a_check_only_upload_reports_but_files_nothing(tmp_path, bank, preparer):
    request = open_request(bank)
    trial = upload(preparer, request, _file(tmp_path, [loan_row()]), check_only=True)
    pipeline.run(trial.pk)
    trial.refresh_from_db()
    assert trial.status == FilingStatus.VALID and trial.version == 0
    assert not FilingRow.objects.filter(filing=trial).exists()
    assert not request.filings.filter(check_only=False).exists()


def test_a_late_filing_is_taken_and_marked_late(tmp_path, bank, preparer, time_machine):
    time_machine.move_to("2025-05-02")
    filing = upload(preparer, open_request(bank), _file(tmp_path, [loan_row()]))
    assert filing.is_late


def test_each_upload_is_a_new_version(tmp_path, bank, preparer):
    request = open_request(bank)
    path = _file(tmp_path, [loan_row()])
    first = upload(preparer, request, path)
    second = upload(preparer, request, path)
    assert (first.version, second.version) == (1, 2)
    assert first.sha256 == second.sha256 and len(first.sha256) == 64


def test_stored_rows_keep_quotes_backslashes_tabs_and_chinese(tmp_path, bank, preparer):
    remark = 'He said "ok"\\ C:\\temp\t制表\n第二行'
    row = {
        "credit_code": "91350100M000100Y43",
        "contact_date": "2025-03-05",
        "decision": "暂无需求",
        "remarks": remark,
    }
    request = open_request(bank, RESULT, period="TASK-1", due_date=date(2099, 1, 1))
    filing = upload(preparer, request, workbook(tmp_path / "r.xlsx", [row], RESULT))
    pipeline.run(filing.pk)
    stored = FilingRow.objects.get(filing=filing)
    values = stored.values(RESULT)
    assert values["remarks"] == remark and values["contact_date"] == date(2025, 3, 5)
    assert stored.key == "91350100M000100Y43"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="rows are COPYed on PostgreSQL")
def test_a_connection_dropped_mid_copy_is_an_error_the_task_retries(
    tmp_path, bank, preparer, monkeypatch
):
    """psycopg's own COPY raised psycopg's error, which the task's retry (on Django's
    OperationalError) did not catch: the filing stayed 'validating' until the watchdog."""
    filing = upload(preparer, open_request(bank), _file(tmp_path, [loan_row()]))

    @contextlib.contextmanager
    def dropped(self, statement, *args, **kwargs):
        raise psycopg.errors.AdminShutdown("terminating connection due to administrator command")
        yield

    with connection.cursor() as cursor:
        monkeypatch.setattr(type(cursor.cursor), "copy", dropped)
    with pytest.raises(OperationalError):
        pipeline.run(filing.pk)
    assert OperationalError in validate_filing.autoretry_for
