"""A filing whose validation keeps dying is tried a limited number of times, then ends "please
upload it again" and its uploader is told; a live attempt in a long phase keeps its heartbeat
fresh, so the sweep does not take it for dead."""

import hashlib
import io
import time
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from portal.models import AuditEvent, Notification, OutboxMessage, Role
from reporting import pipeline, watchdog
from reporting.models import Filing, FilingStatus, RuleHit
from tests import factories as f
from tests.reporting.returns import loan_row, open_request, upload, workbook


@pytest.fixture
def filing(matrix, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    preparer = f.member(Role.PREPARER, institution=matrix.bank_a)
    path = workbook(tmp_path / "loans.xlsx", [loan_row()])
    return upload(preparer, open_request(matrix.bank_a), path)


@pytest.fixture
def unqueued(matrix, tmp_path, settings):
    """The same upload, stored without a message to validate it: in a transactional test the
    upload's message would reach CI's real worker, which would validate it before this test's
    own ``pipeline.run`` could."""
    settings.MEDIA_ROOT = tmp_path / "media"
    path = workbook(tmp_path / "loans.xlsx", [loan_row()])
    content = path.read_bytes()
    return f.FilingFactory(
        request=open_request(matrix.bank_a),
        file__from_func=lambda: io.BytesIO(content),
        file__filename=path.name,
        original_name=path.name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        status=FilingStatus.RECEIVED,
        phase="",
        progress=0,
    )


def _silent(filing: Filing, attempts: int) -> None:
    """A worker claimed it ``attempts`` times and went silent an hour ago."""
    Filing.objects.filter(pk=filing.pk).update(
        status=FilingStatus.VALIDATING,
        attempts=attempts,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )


def _ended_and_told(filing: Filing) -> None:
    filing.refresh_from_db()
    assert (filing.status, filing.phase) == (FilingStatus.REJECTED, "failed")
    assert list(RuleHit.objects.filter(filing=filing).values_list("code", flat=True)) == ["S022"]
    assert AuditEvent.objects.filter(verb="filing.failed", object_id=str(filing.pk)).exists()
    note = Notification.objects.get(recipient=filing.uploaded_by)
    with translation.override("en"):
        assert "please upload it again" in note.text and filing.original_name in note.text
    with translation.override("zh-hans"):
        assert "请重新上传" in note.text


@pytest.mark.django_db
def test_the_sweep_gives_up_on_a_filing_tried_as_often_as_allowed(filing, settings):
    settings.PORTAL_FILING_MAX_ATTEMPTS = 3
    _silent(filing, attempts=2)
    watchdog.requeue_stuck(600)
    filing.refresh_from_db()
    assert (filing.status, filing.requeued) == (FilingStatus.RECEIVED, 1)

    _silent(filing, attempts=3)
    before = OutboxMessage.objects.count()
    watchdog.requeue_stuck(600)
    _ended_and_told(filing)
    # Not queued again; the one message queued is the uploader's email.
    assert list(OutboxMessage.objects.values_list("task", flat=True)[before:]) == [
        "portal.tasks.send_notification_emails"
    ]


@pytest.mark.django_db
def test_a_message_redelivered_after_its_worker_died_too_often_ends_the_filing(filing, settings):
    settings.PORTAL_FILING_MAX_ATTEMPTS = 3
    _silent(filing, attempts=3)  # a file that kills its worker, delivered again each time
    pipeline.run(filing.pk)
    _ended_and_told(filing)
    filing.refresh_from_db()
    assert filing.attempts == 4


@pytest.mark.django_db(transaction=True)
def test_a_long_phase_keeps_the_heartbeat_fresh(unqueued, settings, monkeypatch):
    filing = unqueued
    settings.PORTAL_STUCK_FILING_SECONDS = 4  # a heartbeat every second
    validate = pipeline.validate
    seen = []

    def slow_validate(claimed: Filing):
        # One phase that lasts until the heartbeat has moved on twice (or gives up).
        started = Filing.objects.get(pk=claimed.pk).heartbeat_at
        for _ in range(600):
            beat = Filing.objects.get(pk=claimed.pk).heartbeat_at
            if beat > started and (not seen or beat > seen[-1]):
                seen.append(beat)
            if len(seen) == 2:
                break
            time.sleep(0.05)
        return validate(claimed)

    monkeypatch.setattr(pipeline, "validate", slow_validate)
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    assert len(seen) == 2
    assert filing.status == FilingStatus.VALID and filing.attempts == 1
