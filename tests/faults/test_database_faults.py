"""The database drops its connections (a restart, a failover): a kept web connection is
noticed and replaced before the next request uses it; a worker's, dropped in the middle of a
validation, still leaves the filing exactly one result. Two reviewers accepting two versions
at once end with one accepted: tests/reporting/test_accept_race.py holds that race, run again
here as part of the suite."""

import pytest
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connection, connections

from portal.models import AuditEvent
from reporting.models import PENDING_STATUSES, Filing, FilingStatus
from tests.reporting.returns import loan_row
from tests.reporting.test_accept_race import (
    test_concurrent_accepts_of_two_versions_end_with_one,  # noqa: F401 (collected here too)
)
from tests.reporting.test_filing_pages import _upload, workbook_bytes

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="pg_terminate_backend is PostgreSQL's; SQLite has no connection to drop",
    ),
]


def _drop_connections(*pids: int) -> int:
    """What a database restart does to these backends."""
    killer = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with killer.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE pid = ANY(%s::int[])",
                [list(pids)],
            )
            return cursor.fetchone()[0]
    finally:
        killer.close()


def _drop_the_workers_connections() -> None:
    """Every connection to the test database but this test's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        _drop_connections(*(pid for (pid,) in cursor.fetchall()))


def _upload_and_wait(worker, matrix, client_for, *, during=None) -> Filing:
    content = workbook_bytes([loan_row("350102")])
    response = _upload(client_for(matrix.users["bank_a"]), matrix.request_a1, content)
    assert response.status_code == 302
    filing = Filing.objects.filter(request=matrix.request_a1).latest("pk")
    if during is not None:
        worker.wait_until(
            lambda: (
                Filing.objects.filter(pk=filing.pk, status=FilingStatus.VALIDATING).exists()
                or not Filing.objects.filter(pk=filing.pk, status__in=PENDING_STATUSES).exists()
            ),
            what="the worker to start validating",
        )
        during()
    worker.wait_until(
        lambda: not Filing.objects.filter(pk=filing.pk, status__in=PENDING_STATUSES).exists(),
        timeout=90,
        what="the filing to be validated",
    )
    filing.refresh_from_db()
    return filing


def _validated_once(filing: Filing) -> bool:
    events = AuditEvent.objects.filter(verb="filing.validated", object_id=str(filing.pk))
    return filing.status == FilingStatus.VALID and events.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_kept_connection_dropped_by_the_database_is_replaced_before_it_is_used(matrix):
    kept = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 60  # the README's production advice
    try:
        connection.close()
        connection.ensure_connection()
        assert _drop_connections(connection.connection.info.backend_pid) == 1
        close_old_connections()  # what Django does as each request (and task) starts
        assert Filing.objects.filter(request=matrix.request_a1).exists()
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = kept


def test_a_connection_killed_mid_validation_leaves_one_result(fault_worker, matrix, client_for):
    filing = _upload_and_wait(
        fault_worker, matrix, client_for, during=_drop_the_workers_connections
    )
    # Killed while validating, the task fails on its next query, is retried (a second attempt)
    # and stores one result; killed just after, it had already stored it.
    assert _validated_once(filing) and filing.attempts in (1, 2)
