"""Notifications: one inbox entry per person, emailed once after commit, in their language."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.translation import gettext_noop

from portal import notifications
from portal.models import Notification, Role
from tests import factories as f

pytestmark = pytest.mark.django_db

DUE = gettext_noop("Return %(name)s is due")


def test_each_active_recipient_gets_one_entry_and_one_email_queued_on_commit(
    matrix, django_capture_on_commit_callbacks
):
    m = matrix
    officer, colleague = m.users["bank_a"], f.member(Role.PREPARER, institution=m.bank_a)
    gone = f.member(Role.PREPARER, institution=m.bank_a)
    gone.is_active = False
    gone.save()
    with django_capture_on_commit_callbacks() as queued:
        notes = notifications.notify(
            [officer, colleague, officer, gone], message=DUE, params={"name": "Q3"}, url="/returns/"
        )
    assert sorted(n.recipient_id for n in notes) == sorted([officer.pk, colleague.pk])
    assert len(queued) == 1
    assert mail.outbox == []


def test_emails_go_out_once_in_each_recipients_language(matrix, settings):
    settings.SITE_URL = "https://portal.example.gov.cn"
    m = matrix
    chinese, english = m.users["bank_a"], f.member(Role.PREPARER, institution=m.bank_a)
    chinese.language, english.language = "zh-hans", "en"
    chinese.save()
    english.save()
    notes = notifications.notify([chinese, english], message=DUE, params={"name": "Q3"}, url="/x/")
    ids = [n.pk for n in notes]
    assert notifications.deliver(ids) == 2
    assert notifications.deliver(ids) == 0
    by_address = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 2
    assert "Return Q3 is due" in by_address[english.email].subject
    assert "https://portal.example.gov.cn/x/" in by_address[english.email].body
    assert "Return Q3 is due" not in by_address[chinese.email].subject
    assert "Q3" in by_address[chinese.email].subject
    assert all(n.emailed_at for n in Notification.objects.filter(pk__in=ids))


def test_office_staff_are_the_office_own_people_at_or_above_the_role(matrix):
    m = matrix
    head = m.users["p1_head"]
    assert head in notifications.office_staff(m.p1, Role.VIEWER)
    assert head not in notifications.office_staff(m.city1, Role.VIEWER)
    assert m.users["bank_a"] not in notifications.office_staff(m.p1)


def test_institution_staff_include_the_branch_only_when_asked(matrix):
    m = matrix
    staff = set(notifications.institution_staff(m.bank_a))
    assert m.users["bank_a"] in staff and m.users["branch_a1"] not in staff
    with_branch = set(notifications.institution_staff(m.bank_a, m.branch_a1))
    assert {m.users["bank_a"], m.users["branch_a1"]} <= with_branch
    assert m.users["branch_a2"] not in with_branch


def test_the_inbox_lists_my_notifications_marks_them_read_and_counts_unread(client_for, matrix):
    m = matrix
    client = client_for(m.users["bank_a"])
    page = client.get(reverse("inbox")).content.decode()
    assert "Return 矩阵 is due" in page
    assert "Complaint answered" not in page
    assert 'class="badge"' in page
    detail = client.get(reverse("notification-detail", args=[m.notification_bank_a.pk]))
    assert detail.status_code == 200
    m.notification_bank_a.refresh_from_db()
    assert m.notification_bank_a.read_at is not None
    assert 'class="badge"' not in client.get(reverse("inbox")).content.decode()


def test_mark_all_read_touches_only_my_own(client_for, matrix):
    m = matrix
    response = client_for(m.users["owner_a"]).post(reverse("inbox-mark-read"))
    assert response.status_code == 302
    m.notification_owner_a.refresh_from_db()
    m.notification_bank_a.refresh_from_db()
    assert m.notification_owner_a.read_at is not None
    assert m.notification_bank_a.read_at is None


def test_a_link_off_the_portal_is_not_offered(client_for, matrix):
    m = matrix
    note = Notification.objects.create(
        recipient=m.users["bank_a"], message=DUE, params={"name": "x"}, url="https://evil.example/"
    )
    page = client_for(m.users["bank_a"]).get(reverse("notification-detail", args=[note.pk]))
    assert "evil.example" not in page.content.decode()


def test_signing_in_remembers_the_language(client, matrix):
    user = matrix.users["bank_a"]
    user.set_password("pw-long-enough-1")
    user.save()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.post(reverse("login"), {"username": user.email, "password": "pw-long-enough-1"})
    user.refresh_from_db()
    assert user.language == "en"
