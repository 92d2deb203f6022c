"""Attack 10 of issue 23: the audit trail's append-only guard below the model. On PostgreSQL
TRUNCATE is refused by a trigger, and a role that does not own the table (the one the README
has the portal connect as) can neither TRUNCATE nor switch the triggers off. On SQLite,
triggers refuse raw UPDATE and DELETE."""

import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from portal.audit_guard import reset_allowed
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="runs when DATABASE_URL is PostgreSQL"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite guard")


def _refused(sql: str, *, role: str | None = None, match: str = "") -> None:
    """``sql`` fails (in a savepoint, so the test's transaction goes on), as ``role`` if given."""
    with (
        pytest.raises(DatabaseError, match=match),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        if role:
            cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute(sql)


@on_postgresql
def test_postgresql_refuses_truncate_even_to_the_tables_owner(matrix):
    owner = f"portal_test_owner_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:  # undone with the test's transaction
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending on the table
        cursor.execute(f"CREATE ROLE {owner} NOLOGIN")
        cursor.execute(f"ALTER TABLE portal_auditevent OWNER TO {owner}")
    _refused("TRUNCATE portal_auditevent", role=owner, match="append-only")
    assert AuditEvent.objects.filter(pk=matrix.audit_event_p1.pk).exists()


@on_postgresql
def test_postgresql_the_portals_role_can_neither_truncate_nor_switch_the_triggers_off(matrix):
    app = f"portal_test_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {app} NOLOGIN")
        cursor.execute(f"GRANT SELECT, INSERT ON portal_auditevent TO {app}")
    _refused("TRUNCATE portal_auditevent", role=app, match="permission denied|append-only")
    _refused("ALTER TABLE portal_auditevent DISABLE TRIGGER ALL", role=app, match="owner")
    _refused("UPDATE portal_auditevent SET verb = 'rewritten'", role=app, match="permission denied")
    assert AuditEvent.objects.filter(pk=matrix.audit_event_p1.pk, verb="office_reviewed").exists()


@on_sqlite
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE portal_auditevent SET verb = 'rewritten'",
        "DELETE FROM portal_auditevent",
    ],
)
def test_sqlite_refuses_raw_updates_and_deletes(matrix, sql):
    _refused(sql, match="append-only")
    assert AuditEvent.objects.filter(pk=matrix.audit_event_p1.pk, verb="office_reviewed").exists()


@on_sqlite
def test_sqlite_lets_only_an_explicit_reset_empty_the_trail(matrix):
    with reset_allowed(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM portal_auditevent")
    assert not AuditEvent.objects.exists()
