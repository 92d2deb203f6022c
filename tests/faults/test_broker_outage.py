"""The broker stops while a bank uploads and while a notification is sent, then starts again:
the upload is validated once, each email goes once, nobody sees a server error, no file is
lost; the worker lives through a long outage and carries on by itself."""

import re
import time
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import outbox
from portal.models import AuditEvent, Notification
from reporting.models import PENDING_STATUSES, Filing, FilingStatus
from tests.faults.conftest import OUTAGE_SECONDS
from tests.reporting.returns import loan_row
from tests.reporting.test_filing_pages import _upload, workbook_bytes

pytestmark = pytest.mark.worker


def _after_the_outage(own_redis) -> None:
    """Start the broker again and run what beat runs every 30 s."""
    own_redis.start()
    outbox.sweep()


def test_an_upload_during_an_outage_is_validated_once_when_the_broker_is_back(
    fault_worker, own_redis, matrix, client_for
):
    request = matrix.request_a1
    content = workbook_bytes([loan_row("350102")])
    own_redis.stop()
    response = _upload(client_for(matrix.users["bank_a"]), request, content)
    filing = Filing.objects.filter(request=request).latest("pk")
    assert response.status_code == 302  # to the filing's page, not an error
    assert response["Location"] == reverse("filing-detail", args=[filing.pk])
    assert Path(filing.file.path).read_bytes() == content
    assert filing.status == FilingStatus.RECEIVED and outbox.unsent() == 1

    _after_the_outage(own_redis)
    fault_worker.wait_until(
        lambda: Filing.objects.exclude(status__in=PENDING_STATUSES).filter(pk=filing.pk).exists(),
        timeout=90,
        what="the upload to be validated after the outage",
    )
    filing.refresh_from_db()
    assert (filing.status, filing.attempts) == (FilingStatus.VALID, 1)
    validated = AuditEvent.objects.filter(verb="filing.validated", object_id=str(filing.pk))
    assert validated.count() == 1 and outbox.unsent() == 0
    assert Path(filing.file.path).read_bytes() == content


def test_a_notification_during_an_outage_is_emailed_once_when_the_broker_is_back(
    fault_worker, own_redis, matrix, client_for
):
    request = matrix.request_a1
    request.closed_at = timezone.now()
    request.save()
    until = (timezone.localdate() + timezone.timedelta(days=7)).isoformat()
    own_redis.stop()
    response = client_for(matrix.users["p1_head"]).post(
        reverse("request-detail", args=[request.pk]),
        {"action": "reopen", "until": until, "reason": "系统故障"},
    )
    assert response.status_code == 302  # the period is reopened, not an error page
    notes = list(Notification.objects.filter(object_id=str(request.pk)))
    assert notes and all(note.emailed_at is None for note in notes)

    _after_the_outage(own_redis)
    fault_worker.wait_until(
        lambda: (
            not Notification.objects.filter(pk__in=[n.pk for n in notes], emailed_at=None).exists()
        ),
        timeout=90,
        what="the notifications to be emailed after the outage",
    )
    outbox.sweep()  # a second sweep finds nothing to send again
    fault_worker.wait_idle(timeout=30)
    # The console email backend prints each message to the worker's log.
    sent_to = re.findall(r"^To: (\S+)$", fault_worker.test_log(), flags=re.MULTILINE)
    assert sorted(sent_to) == sorted(note.recipient.email for note in notes)


def test_the_worker_lives_through_an_outage_and_reconnects_by_itself(
    fault_worker, own_redis, matrix
):
    from tests.worker_tasks import note_office_seen

    own_redis.stop()
    time.sleep(OUTAGE_SECONDS)
    assert fault_worker.is_running()
    own_redis.start()
    outbox.send_on_commit(note_office_seen, matrix.county_a.code)  # no transaction: sent now
    fault_worker.wait_until(
        lambda: AuditEvent.objects.filter(verb="worker_saw_office").exists(),
        timeout=60,
        what="the worker to reconnect and run a task",
    )
    log = fault_worker.test_log()
    assert "Cannot connect to redis" in log or "Connection to broker lost" in log
