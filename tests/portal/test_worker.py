"""The real-worker infrastructure (tests/worker.py) proves itself end to end."""

import pytest
from celery.signals import before_task_publish
from django.conf import settings
from django.db import transaction

from portal.celery import app
from portal.models import AuditEvent
from tests import factories as f
from tests.worker_tasks import note_office_seen


def test_tasks_sent_by_a_test_without_a_worker_go_to_a_queue_of_the_session_nobody_reads(
    celery_test_queue,
):
    sent_to = []

    def note(routing_key=None, **kwargs):
        sent_to.append(routing_key)

    before_task_publish.connect(note, weak=False)
    try:
        note_office_seen.delay("000000")  # nobody consumes it; removed at the end of the session
    finally:
        before_task_publish.disconnect(note)
    # Not the queue the session's worker consumes: the worker, started by an earlier test, must
    # not take a filing stored under this test's media root.
    assert sent_to == [f"{celery_test_queue}-unread"]
    # Not the shared default queue that the portal's own workers consume.
    assert celery_test_queue.startswith("portal-test-")
    assert celery_test_queue != settings.CELERY_TASK_DEFAULT_QUEUE


@pytest.mark.worker
def test_worker_consumes_only_this_sessions_queue(celery_worker):
    assert celery_worker.queue.startswith("portal-test-")
    assert app.conf.task_default_queue == celery_worker.queue
    # The worker itself says which queue it consumes: the session's, not the shared default.
    assert celery_worker.active_queues() == [celery_worker.queue]


@pytest.mark.worker
def test_worker_reads_what_the_test_committed_and_the_test_reads_its_writes(celery_worker):
    with transaction.atomic():
        office = f.office("990000", "工作进程测试局")
        # Sent only once the office is committed, as service functions do.
        note_office_seen.delay_on_commit(office.code)

    event = celery_worker.wait_until(
        lambda: AuditEvent.objects.filter(verb="worker_saw_office").first(),
        what="the worker to record the office it read",
    )
    assert event.object_id == str(office.pk)
    assert event.office_id == office.pk
    assert event.changes == {"name_zh": [None, "工作进程测试局"]}
    assert event.actor is None and event.actor_label == "system"
    assert "tests.worker_tasks.note_office_seen" in celery_worker.test_log()
