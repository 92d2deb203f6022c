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
from portal.models import AuditEvent, Email, Notification, OutboxMessage
from reporting.models import PENDING_STATUSES, Filing, FilingStatus
from supervision.complaints.models import Complaint
from tests.faults.conftest import OUTAGE_SECONDS
from tests.reporting.returns import loan_row
from tests.reporting.test_filing_pages import _upload, workbook_bytes
from tests.supervision.test_complaints_access import _ask
from tests.supervision.test_complaints_pages import intake_data

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


def test_account_and_complaint_emails_during_an_outage_go_once_when_the_broker_is_back(
    fault_worker, own_redis, matrix, client, client_for
):
    own_redis.stop()
    registered = client.post(
        reverse("register"),
        {"full_name": "王小企", "email": "new.owner@example.test", "password": "a-long-password-1"},
    )
    assert registered.status_code == 200  # "a link is on its way", not an error page
    asked = _ask(client, "walk.in@example.test")
    assert asked.status_code == 200 and "a link is on its way" in asked.content.decode()
    reset = client.post(reverse("password_reset"), {"email": matrix.users["bank_a"].email})
    assert reset.status_code == 302
    owner = matrix.users["owner_a"]
    filed = client_for(owner).post(reverse("complaint-file"), intake_data(matrix))
    assert filed.status_code == 302  # to the complaint's confirmation
    waiting = list(Email.objects.filter(sent_at=None).values_list("address", flat=True))
    assert sorted(waiting) == sorted(
        ["new.owner@example.test", "walk.in@example.test", matrix.users["bank_a"].email]
    )
    complaint = Complaint.objects.get(owner=owner, enterprise_name="鼓楼小茶馆")
    notes = Notification.objects.filter(object_id=str(complaint.pk))
    told = [note.recipient.email for note in notes]
    assert told and outbox.unsent() == OutboxMessage.objects.count() >= 3 + 1  # all waiting

    _after_the_outage(own_redis)
    fault_worker.wait_until(
        lambda: (
            not Email.objects.filter(sent_at=None).exists()
            and not notes.filter(emailed_at=None).exists()
        ),
        timeout=90,
        what="the emails to be sent after the outage",
    )
    outbox.sweep()  # a second sweep sends nothing again
    fault_worker.wait_idle(timeout=30)
    sent_to = re.findall(r"^To: (\S+)$", fault_worker.test_log(), flags=re.MULTILINE)
    assert sorted(sent_to) == sorted(waiting + told)
    assert "/accounts/verify/" in fault_worker.test_log()  # the links, made as they were sent


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
