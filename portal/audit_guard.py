"""The audit trail's guard on SQLite: the triggers of migration 0004 refuse UPDATE and DELETE
on ``portal_auditevent`` while ``portal_audit_locked()`` answers 1, which it does unless code
runs inside ``reset_allowed()`` (the test runner emptying its database between tests). The
function is registered on every SQLite connection the portal opens."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_reset: ContextVar[bool] = ContextVar("audit_reset_allowed", default=False)


@contextmanager
def reset_allowed() -> Iterator[None]:
    """Let this thread empty the audit table (SQLite only; on PostgreSQL only a superuser
    may, whatever this says)."""
    token = _reset.set(True)
    try:
        yield
    finally:
        _reset.reset(token)


def _locked() -> int:
    return 0 if _reset.get() else 1


def register_sqlite_guard(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: give a new SQLite connection the guard's function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("portal_audit_locked", 0, _locked)
