"""Heavy and light work in separate queues (issue 21): with ``PORTAL_HEAVY_QUEUE`` set, a
return waiting for a heavy worker does not hold up the e-mail of a notification."""

import contextlib
import uuid

import pytest
from django.utils.translation import gettext_noop

from portal import notifications
from portal.celery import HEAVY_TASKS, app, route
from portal.models import Notification, Role
from reporting.models import Filing, FilingStatus
from tests import factories as f
from tests.reporting.returns import loan_row, open_request, upload, workbook


def test_heavy_tasks_go_to_the_heavy_queue_only_when_one_is_set(settings):
    settings.PORTAL_HEAVY_QUEUE = ""
    assert route("reporting.tasks.validate_filing", [], {}, {}) is None

    settings.PORTAL_HEAVY_QUEUE = "portal-heavy"
    assert all(route(name, [], {}, {}) == {"queue": "portal-heavy"} for name in HEAVY_TASKS)
    assert route("portal.tasks.send_notification_emails", [], {}, {}) is None
    assert route("supervision.tasks.escalation.sweep_escalations", [], {}, {}) is None


def test_every_heavy_task_exists():
    app.loader.import_default_modules()  # the apps' task modules, as a worker imports them

    assert set(app.tasks) >= HEAVY_TASKS


@pytest.mark.worker
def test_a_notification_is_sent_while_the_heavy_queue_is_busy(
    celery_worker, matrix, settings, tmp_path
):
    # No worker serves this queue: the return waits in it as behind a long validation.
    settings.PORTAL_HEAVY_QUEUE = heavy = f"heavy-{uuid.uuid4().hex[:8]}"
    preparer = f.member(Role.PREPARER, institution=matrix.bank_a)
    path = workbook(tmp_path / "q.xlsx", [loan_row("350102")])
    try:
        filing = upload(preparer, open_request(matrix.bank_a), path)
        due = gettext_noop("Return %(name)s is due")
        (note,) = notifications.notify([matrix.users["bank_a"]], message=due, params={"name": "Q3"})

        celery_worker.wait_until(
            lambda: Notification.objects.filter(pk=note.pk, emailed_at__isnull=False).first(),
            what="the notification to be e-mailed",
        )
        assert Filing.objects.get(pk=filing.pk).status == FilingStatus.RECEIVED
    finally:
        with contextlib.suppress(Exception), app.connection_for_write() as connection:
            connection.default_channel.queue_delete(heavy)
