"""Work asked for by a change is written with the change and sent after it commits: a broker
that refuses (Redis down) delays the work, never loses it, and never turns the saved change
into an error page; beat's sweep sends it once the broker is back, once."""

from pathlib import Path
from unittest import mock

import pytest
from django.db import transaction
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerDown

from portal import notifications, outbox
from portal.models import OutboxMessage, Tick
from portal.tasks import send_notification_emails
from reporting.models import Filing
from tests import factories as f
from tests.reporting.returns import loan_row
from tests.reporting.test_filing_pages import LOANS, _upload, workbook_bytes

pytestmark = pytest.mark.django_db

EMAILS = "portal.tasks.send_notification_emails.delay"
VALIDATE = "reporting.tasks.validate_filing.delay"
DUE = "Return %(name)s is due"


def _refused(*args, **kwargs):
    raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_a_notification_sent_while_the_broker_is_down_is_saved_and_sent_when_it_is_back(
    matrix, django_capture_on_commit_callbacks
):
    officer = matrix.users["bank_a"]
    with (
        mock.patch(EMAILS, side_effect=_refused),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(durable=True),
    ):
        (note,) = notifications.notify([officer], message=DUE, params={"name": "Q3"})
    waiting = OutboxMessage.objects.get()
    assert (waiting.task, waiting.args, waiting.sent_at) == (
        send_notification_emails.name,
        [[note.pk]],
        None,
    )
    assert waiting.attempts == 1 and "Connection refused" in waiting.last_error

    with mock.patch(EMAILS) as delay:
        assert outbox.sweep() == 1
        assert outbox.sweep() == 0  # sent once, not at every sweep
    delay.assert_called_once_with([note.pk])
    assert outbox.unsent() == 0


def test_a_change_that_rolls_back_sends_nothing(matrix, django_capture_on_commit_callbacks):
    with (
        mock.patch(EMAILS) as delay,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(durable=True),
    ):
        notifications.notify([matrix.users["bank_a"]], message=DUE, params={"name": "Q3"})
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    delay.assert_not_called()


def test_a_message_held_by_one_relay_is_not_sent_by_another(matrix):
    with transaction.atomic():
        message = outbox.send_on_commit(send_notification_emails, [1])
    held = outbox._claim(message.pk)
    assert held is not None
    with mock.patch(EMAILS) as delay:
        assert outbox.relay([message.pk]) == 0
        assert outbox.sweep() == 0
    delay.assert_not_called()


def test_the_sweep_notes_beats_tick():
    assert outbox.sweep() == 0
    assert Tick.objects.get(name="beat").at is not None


def test_an_upload_while_the_broker_is_down_keeps_its_filing_and_file(
    matrix, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    request = f.ReturnRequestFactory(institution=matrix.bank_a, period="2025Q3")
    client = client_for(matrix.users["bank_a"])
    content = workbook_bytes([loan_row()])
    with (
        mock.patch(VALIDATE, side_effect=_refused),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = _upload(client, request, content)
    filing = Filing.objects.get(request=request)
    # The bank is shown its filing (being checked), not an error page, and the file is kept.
    assert response.status_code == 302
    assert response["Location"] == reverse("filing-detail", args=[filing.pk])
    assert Path(filing.file.path).read_bytes() == content
    assert OutboxMessage.objects.get(sent_at=None).args == [filing.pk]

    with mock.patch(VALIDATE) as delay:
        outbox.sweep()
    delay.assert_called_once_with(filing.pk)
    assert filing.spec_code == LOANS.code
