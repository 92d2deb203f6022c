"""The audit trail's append-only guard below the model, completed (issue 23).

PostgreSQL: a ``BEFORE TRUNCATE`` trigger beside the row trigger of 0002. It refuses every role
but a superuser (a superuser can switch any trigger off anyway; the test runner, connected as
one, empties tables between tests with TRUNCATE). The production role the portal connects as
owns no table, so it can neither TRUNCATE nor ``ALTER TABLE ... DISABLE TRIGGER`` (README,
"Production database").

SQLite: triggers refusing UPDATE and DELETE while ``portal_audit_locked()`` is true, a function
each connection of the portal registers (``portal.audit_guard``); a connection without it (the
sqlite3 shell) fails on the unknown function, so it cannot change rows either."""

from django.db import migrations

PG_TRIGGER = """
CREATE OR REPLACE FUNCTION portal_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: TRUNCATE refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER portal_auditevent_no_truncate
    BEFORE TRUNCATE ON portal_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION portal_audit_no_truncate();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS portal_auditevent_no_truncate ON portal_auditevent;
DROP FUNCTION IF EXISTS portal_audit_no_truncate();
"""
SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER IF NOT EXISTS portal_auditevent_no_{verb.lower()}
    BEFORE {verb} ON portal_auditevent WHEN portal_audit_locked()
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
    """
    for verb in ("UPDATE", "DELETE")
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS portal_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS portal_auditevent_no_delete;",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_TRIGGER)
    elif vendor == "sqlite":
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP)
    elif vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_notifications")]
    operations = [migrations.RunPython(forwards, backwards)]
