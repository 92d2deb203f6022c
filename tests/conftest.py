import os
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from tests.matrix import build_matrix

pytest_plugins = ["tests.worker"]

# Each test run counts in a cache of its own (the worker subprocess is given the same prefix):
# the Redis cache outlives a run, and the hourly limits that an earlier run counted in the same
# hour refused this run's complaint and account forms ("Too many links were asked for").
django_settings.CACHES["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite the test database is a file of this process's own, not memory, so that a
    worker subprocess (tests/worker.py) can open it. PostgreSQL keeps pytest-django's names
    (test_<name>_gw0 ...)."""
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        yield
        return
    directory = Path(django_settings.DATA_DIR) / "test-databases"
    directory.mkdir(parents=True, exist_ok=True)
    name = directory / f"test-{os.getpid()}-{uuid.uuid4().hex[:8]}.sqlite3"
    database.setdefault("TEST", {})["NAME"] = str(name)
    yield
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{name}{suffix}").unlink(missing_ok=True)


@pytest.fixture(scope="session", autouse=True)
def _flush_may_empty_the_audit_trail():
    """Between transactional (and browser) tests Django empties every table; the audit
    trail's guard on SQLite (portal.audit_guard) lets that one statement through."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from portal.audit_guard import reset_allowed

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with reset_allowed():
            return original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush  # type: ignore[method-assign]
    yield
    BaseDatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _portal_defaults(settings, tmp_path):
    """Second factor off unless a test turns it on; files go to a per-test directory."""
    settings.REQUIRE_2FA = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PORTAL_API_RATE = ""  # the throttle's budget persists in the file cache; its own test
    assert cache.key_prefix == settings.CACHES["default"]["KEY_PREFIX"], "the run's own cache"


@pytest.fixture(autouse=True)
def _english_pages(client):
    """Pages answer in English unless a test asks for Chinese (cookie or header), so that
    assertions read the English source strings whatever the catalogue holds."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def sent_mail():
    """``sent_mail()`` does what a worker does with the emails queued so far (``portal.emails``,
    through the outbox) and returns every email sent in the test."""
    from django.core import mail

    from portal.models import Email
    from portal.tasks import send_emails

    def send() -> list:
        send_emails(list(Email.objects.filter(sent_at=None).values_list("pk", flat=True)))
        return mail.outbox

    return send


@pytest.fixture
def matrix(db):
    return build_matrix()


@pytest.fixture
def client_for(client):
    """A test client signed in as the given user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
