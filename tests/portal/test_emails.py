"""Account emails through the outbox: queued with the change, sent once by a worker in the
language they were asked in, and forgotten a week after they went."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone, translation

from portal import accounts, emails
from portal.models import Email, OutboxMessage
from portal.tasks import send_emails

pytestmark = pytest.mark.django_db


def test_an_email_goes_once_in_the_language_it_was_asked_in(matrix, sent_mail):
    user = matrix.users["bank_a"]
    with translation.override("zh-hans"):
        accounts.request_password_reset(user.email)
    queued = OutboxMessage.objects.get(task=send_emails.name)
    [message] = sent_mail()
    assert queued.args == [[Email.objects.get().pk]]
    assert message.to == [user.email] and "密码" in message.subject
    assert emails.deliver(queued.args[0]) == 0  # delivered again: nothing more is sent


def test_sent_emails_are_forgotten_after_a_week(matrix, sent_mail):
    with transaction.atomic():
        emails.queue("already_registered", "old@example.test")
    sent_mail()
    with time_machine.travel(timezone.now() + emails.KEEP_SENT + timedelta(hours=1)):
        emails.deliver([])
    assert not Email.objects.exists()
