"""The audit trail: what is recorded, that it cannot be rewritten, and who may read it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from portal import audit, scoping
from portal.audit import request_address
from portal.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_an_event_records_actor_verb_object_changes_and_address(matrix):
    m = matrix
    actor = m.users["county_a"]
    token = request_address.set("198.51.100.7")
    try:
        event = audit.record(actor, "branch_renamed", m.branch_a1, {"name_en": ["Old", "New"]})
    finally:
        request_address.reset(token)
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor == actor
    assert event.actor_label == actor.email
    assert event.verb == "branch_renamed"
    assert (event.object_type, event.object_id) == ("portal.Branch", str(m.branch_a1.pk))
    assert event.object_label == m.branch_a1.name_zh
    assert event.changes == {"name_en": ["Old", "New"]}
    assert event.address == "198.51.100.7"
    # Readable from the branch's supervising office, and tied to its institution.
    assert event.office == m.county_a
    assert event.institution == m.bank_a
    assert event.at is not None


def test_events_about_offices_and_institutions_are_placed_where_they_are_supervised(matrix):
    m = matrix
    assert audit.record(None, "office_touched", m.city2).office == m.city2
    about_bank = audit.record(None, "institution_touched", m.bank_b)
    assert (about_bank.office, about_bank.institution) == (m.p2, m.bank_b)
    moved = audit.record(None, "institution_touched", m.bank_b, office=m.county_c)
    assert moved.office == m.county_c


def test_without_a_signed_in_actor_the_system_is_recorded(matrix):
    event = audit.record(AnonymousUser(), "nightly_sweep", matrix.p1)
    assert event.actor is None
    assert event.actor_label == "system"
    assert event.address is None


def test_a_sign_in_is_audited_with_the_address_it_came_from(client, db):
    user = f.UserFactory()
    response = client.post(
        reverse("login"), {"username": user.email, "password": f.PASSWORD}, REMOTE_ADDR="192.0.2.4"
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="login")
    assert (event.actor, event.address, event.object_id) == (user, "192.0.2.4", str(user.pk))


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, db, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    user = f.UserFactory()
    client.post(
        reverse("login"),
        {"username": user.email, "password": f.PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        # The first entry is whatever the client claimed; our one proxy appended the real one.
        HTTP_X_FORWARDED_FOR="203.0.113.66, 198.51.100.20",
    )
    assert AuditEvent.objects.get(verb="login").address == "198.51.100.20"


def test_an_event_cannot_be_changed_or_deleted_through_the_model(matrix):
    event = matrix.audit_event_p1
    event.verb = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).verb == "office_reviewed"


def test_an_event_cannot_be_changed_or_deleted_through_querysets(matrix):
    events = AuditEvent.objects.filter(pk=matrix.audit_event_p1.pk)
    with pytest.raises(PermissionError):
        events.update(verb="rewritten")
    with pytest.raises(PermissionError):
        events.delete()
    event = events.get()
    event.verb = "rewritten"
    with pytest.raises(PermissionError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["verb"])
    assert AuditEvent.objects.filter(pk=event.pk, verb="office_reviewed").exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE portal_auditevent SET verb = 'rewritten' WHERE id = %s",
        "DELETE FROM portal_auditevent WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes(matrix, sql):
    pk = matrix.audit_event_p1.pk
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [pk])
    assert AuditEvent.objects.filter(pk=pk, verb="office_reviewed").exists()


@pytest.mark.parametrize(
    ("user_key", "sees"),
    [
        ("gb_head", True),
        ("p1_head", True),
        ("p2_head", False),
        ("county_a", False),  # below the office the event sits at
        ("bank_a", False),
        ("owner_a", False),
    ],
)
def test_regulators_read_the_audit_trail_of_their_subtree_only(matrix, client, user_key, sees):
    event = matrix.audit_event_p1  # sits at city1, under province 1
    user = matrix.users[user_key]
    assert scoping.visible(user, AuditEvent).filter(pk=event.pk).exists() is sees

    client.force_login(user)
    listed = client.get(reverse("api:audit-event-list")).json()["results"]
    assert (event.pk in [row["id"] for row in listed]) is sees
    page = client.get(reverse("audit-list")).content.decode()
    assert ("矩阵甲省局审阅" in page) is sees


def test_the_audit_page_shows_a_reader_what_changed_and_from_where(matrix, client):
    m = matrix
    token = request_address.set("198.51.100.7")
    try:
        audit.record(m.users["county_b"], "branch_checked", m.branch_a2, {"note": [None, "ok"]})
    finally:
        request_address.reset(token)
    client.force_login(m.users["p1_head"])
    rows = client.get(reverse("api:audit-event-list"), {"verb": "branch_checked"}).json()
    assert rows["count"] == 1
    row = rows["results"][0]
    assert row["actor_label"] == m.users["county_b"].email
    assert row["changes"] == {"note": [None, "ok"]}
    assert row["address"] == "198.51.100.7"
    assert row["object_label"] == m.branch_a2.name_zh
