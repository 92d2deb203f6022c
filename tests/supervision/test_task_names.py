"""Celery finds a task by the name in its message, not by the module it lives in: tasks queued
by a portal before an upgrade (and beat's schedule) name the tasks as they were. Each task's
name is pinned, so that moving a module never strands a queued message."""

import pytest
from django.conf import settings

from portal.celery import app
from reporting.models import Filing
from supervision.dashboards.models import LendingRow
from tests import factories as f

# The names under which tasks have been queued since before supervision/ had capability
# folders (supervision.tasks.<capability>.<task>). Never change one: add a new task instead.
PINNED = {
    "portal.tasks.send_notification_emails",
    "portal.tasks.send_emails",
    "portal.tasks.relay_outbox",
    "reporting.tasks.validate_filing",
    "reporting.tasks.requeue_stuck_filings",
    "reporting.tasks.open_periodic_requests",
    "reporting.tasks.remove_expired_files",
    "supervision.tasks.screening.record_screening_results",
    "supervision.tasks.screening.sweep_screening_deadlines",
    "supervision.tasks.screening.run_screening_job",
    "supervision.tasks.screening.remind_visit_next_steps",
    "supervision.tasks.evaluation.score_institution",
    "supervision.tasks.evaluation.run_scoring",
    "supervision.tasks.evaluation.open_yearly_evaluations",
    "supervision.tasks.complaints.sweep_overdue_complaints",
    "supervision.tasks.escalation.sweep_escalations",
    "supervision.tasks.dashboards.build_export",
    "supervision.tasks.dashboards.record_missing_lending_rows",
    "supervision.tasks.publication.publish_statistics",
    "portal.webhooks.deliver_webhook",
    "portal.webhooks.retry_webhooks",
}


def _registered() -> set[str]:
    app.loader.import_default_modules()
    # Celery's own tasks, and the probes the test worker loads (tests.worker_tasks), aside.
    return {name for name in app.tasks if not name.startswith(("celery.", "tests."))}


def test_every_task_keeps_the_name_it_was_queued_under():
    assert _registered() == PINNED


def test_beat_schedules_only_registered_tasks():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= _registered()


@pytest.mark.worker
def test_a_message_queued_under_the_old_name_is_run_by_a_new_worker(celery_worker, matrix):
    # An accepted return whose lending rows a process died before writing; the message that
    # asks for them was queued by name, as a portal before the move would have sent it.
    filing = f.accepted_return(matrix.bank_a, "2025Q3")
    LendingRow.objects.filter(filing=filing).delete()
    app.send_task("supervision.tasks.dashboards.record_missing_lending_rows")
    celery_worker.wait_until(
        lambda: LendingRow.objects.filter(filing=filing).exists(),
        what="the worker to run the task queued under its old name",
    )
    assert Filing.objects.get(pk=filing.pk).status == "accepted"
