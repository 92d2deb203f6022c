"""A real Celery worker for integration tests (a pytest plugin, loaded by tests/conftest.py).

Use the ``celery_worker`` fixture and mark the test ``worker``::

    @pytest.mark.worker
    def test_upload_is_validated(celery_worker, matrix):
        filing = reporting.filing_upload(...)          # queued with send_on_commit
        celery_worker.wait_until(
            lambda: Filing.objects.get(pk=filing.pk).status == "valid",
            what="the filing to be validated",
        )

What the fixture gives you:

- ``celery -A portal worker --pool=solo`` runs as a subprocess, started once per test session
  (per xdist process) on first use and stopped at the end of the session.
- Every test session sends its tasks to a queue of its own (``celery_test_queue``, autouse:
  ``portal.celery.app.conf.task_default_queue``), with or without a worker, so concurrent test
  runs sharing one broker, and developers' running workers, never take each other's tasks. A
  test that has no worker sends to ``<that queue>-unread``, which nobody consumes, so that the
  session's worker never takes a message that was not meant for it. The worker consumes the
  session's queue (the subprocess gets it through ``PORTAL_TASK_QUEUE``, settings
  ``CELERY_TASK_DEFAULT_QUEUE``). At the end the queue, and the worker's control queue, are
  removed from the broker.
- The broker is the one settings choose: Redis when ``REDIS_URL`` is set, otherwise the embedded
  filesystem broker under the data directory.
- The worker uses this session's test database (``DATABASE_URL`` built from the connection
  settings; on SQLite the test database is a file, see ``django_db_modify_db_settings`` in
  tests/conftest.py). The fixture requests ``transactional_db``: what the test writes is
  committed and the worker sees it; what the worker writes, the test reads back. Data is
  flushed after each test as usual.
- ``settings.MEDIA_ROOT`` is pointed at the worker's media directory for the test, so files
  stored by the test are the files the worker opens.
- The worker also imports ``tests.worker_tasks`` (probe tasks for the infrastructure's own tests).
- ``wait_until(predicate)`` polls (opening no transaction) until the predicate holds, and fails
  with the worker's log if it does not in time or if the worker died. After each test the
  fixture waits for the worker to go idle, so that no task is writing while the data are
  flushed. When a test using the
  fixture fails, the worker's log lines written during that test are added to the report.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from amqp.exceptions import ChannelError
from django.conf import settings
from django.db import connection

STARTUP_SECONDS = 60
STOP_SECONDS = 15
# Modules the test worker imports besides the portal's own tasks.
EXTRA_TASK_MODULES = ["tests.worker_tasks"]


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL (as portal.settings parses it) for the database of ``settings_dict``."""
    engine = settings_dict["ENGINE"]
    name = str(settings_dict["NAME"])
    if engine == "django.db.backends.sqlite3":
        if name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
            raise RuntimeError(
                "the worker cannot open an in-memory SQLite database; "
                "the test database must be a file (tests/conftest.py sets TEST NAME)"
            )
        return f"sqlite:///{Path(name).resolve()}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = quote(settings_dict.get("HOST") or "", safe="")
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        return f"postgres://{credentials}{host}{port}/{quote(name, safe='')}"
    raise RuntimeError(f"no DATABASE_URL for database engine {engine}")


def _use_queue(app, queue: str) -> str:
    """Send this process's tasks to ``queue``; returns the previous default queue."""
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    # The AMQP helper caches queues, router and exchange from the configuration it first saw.
    app.__dict__.pop("amqp", None)
    return previous


@dataclass
class CeleryWorker:
    """A running ``celery worker`` subprocess and how to talk to it."""

    queue: str
    hostname: str
    log_path: Path
    media_root: Path
    process: subprocess.Popen | None = None
    # A data directory of its own (default: the test process's), and settings of its own.
    data_dir: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    test_log_offset: int = field(default=0)

    @property
    def app(self):
        from portal.celery import app

        return app

    # -- the log --------------------------------------------------------------------------
    def log(self, since: int = 0) -> str:
        try:
            with self.log_path.open("rb") as fh:
                fh.seek(since)
                return fh.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def test_log(self) -> str:
        """What the worker logged since the current test started."""
        return self.log(self.test_log_offset)

    # -- talking to it --------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ping(self, timeout: float = 1.0) -> bool:
        replies = self.app.control.ping(destination=[self.hostname], timeout=timeout)
        return any(self.hostname in reply for reply in replies)

    def active_queues(self, timeout: float = 2.0) -> list[str]:
        """The names of the queues the worker consumes, as the worker itself reports them."""
        answer = self.app.control.inspect(destination=[self.hostname], timeout=timeout)
        queues = (answer.active_queues() or {}).get(self.hostname) or []
        return sorted(q["name"] for q in queues)

    def wait_until(
        self,
        predicate: Callable[[], object],
        *,
        timeout: float = 30.0,
        interval: float = 0.1,
        what: str = "the condition",
    ):
        """Poll ``predicate`` until it returns something truthy, and return that."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if not self.is_running():
                pytest.fail(f"the Celery worker died while waiting for {what}:\n{self.test_log()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"waited {timeout:.0f}s for {what}; worker log of this test:\n{self.test_log()}"
                )
            time.sleep(interval)

    def queued(self) -> int:
        """Messages waiting on the broker in this session's queue (none before the first)."""
        with self.app.connection_for_write() as conn:
            try:
                return conn.default_channel.queue_declare(queue=self.queue, passive=True)[1]
            except ChannelError:
                return 0

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Wait until no task is waiting, reserved or running, twice in a row: a task still
        writing (scoring after an acceptance, say) when the test's data are flushed would
        deadlock the flush."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while quiet < 2 and self.is_running() and time.monotonic() < deadline:
            answer = self.app.control.inspect(destination=[self.hostname], timeout=1.0)
            busy = (
                self.queued()
                or (answer.active() or {}).get(self.hostname)
                or (answer.reserved() or {}).get(self.hostname)
            )
            quiet = 0 if busy else quiet + 1
            time.sleep(0.1)

    # -- lifecycle ------------------------------------------------------------------------
    def command(self) -> list[str]:
        command = [
            sys.executable,
            "-m",
            "celery",
            "--app",
            "portal",
            "worker",
            "--pool=solo",
            "--queues",
            self.queue,
            "--hostname",
            self.hostname,
            "--loglevel",
            "INFO",
            # Start fast and keep to itself: no syncing with other workers on the same broker.
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ]
        for module in EXTRA_TASK_MODULES:
            command += ["--include", module]
        return command

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="portal.settings",
            DATABASE_URL=database_url(connection.settings_dict),
            PORTAL_TASK_QUEUE=self.queue,
            PORTAL_DATA_DIR=str(self.data_dir or settings.DATA_DIR),
            PORTAL_MEDIA_ROOT=str(self.media_root),
            PORTAL_CACHE_PREFIX=settings.CACHES["default"].get("KEY_PREFIX", ""),
            PORTAL_EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
            # Small batches of escalation cases, so that a test's kill lands between two.
            PORTAL_ESCALATION_BATCH="8",
            PYTHONPATH=os.pathsep.join(
                p for p in (str(settings.BASE_DIR), env.get("PYTHONPATH", "")) if p
            ),
            PYTHONUNBUFFERED="1",
        )
        if settings.REDIS_URL:
            env["REDIS_URL"] = settings.REDIS_URL
        else:
            env.pop("REDIS_URL", None)
        env.update(self.env)
        return env

    def start(self) -> None:
        self.media_root.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=settings.BASE_DIR,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if not self.is_running():
                raise RuntimeError(
                    f"the Celery worker exited with {self.process.returncode}:\n{self.log()}"
                )
            if self.ping(timeout=0.5):
                return
        self.stop()
        raise RuntimeError(
            f"the Celery worker did not answer a ping in {STARTUP_SECONDS}s:\n{self.log()}"
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # warm shutdown: finishes the current task
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(STOP_SECONDS)


def _clean_broker(
    app, queue: str, worker_hostname: str | None = None, *, keep_reply_queue: bool = False
) -> None:
    """Remove what the session left on the broker (best effort): its task queue with any
    messages nobody consumed, the worker's control queue and this process's reply queue.
    A stopped worker's control queue stays bound otherwise, and on the filesystem broker every
    later broadcast would leave a message file for it. A test that stops a worker of its own
    on the session's broker keeps the reply queue: the session worker answers its pings there,
    and with the queue deleted a restarted session worker is never heard to answer."""
    from kombu import Exchange, Queue

    mailbox = app.control.mailbox
    queues = [Queue(queue, Exchange(queue, "direct"), routing_key=queue)]
    if worker_hostname:
        queues.append(mailbox.get_queue(worker_hostname))
        if not keep_reply_queue:
            queues.append(mailbox.reply_queue)
    with contextlib.suppress(Exception), app.connection_for_write() as conn:
        channel = conn.default_channel
        for q in queues:
            with contextlib.suppress(Exception):
                bound = q.bind(channel)
                bound.declare()
                bound.purge()
                bound.delete()
        control_folder = getattr(channel, "control_folder", None)  # the filesystem broker
        if control_folder is not None:
            table = Path(control_folder) / f"{queue}.exchange"
            with contextlib.suppress(OSError):
                if table.read_text().strip() == "[]":
                    table.unlink()


@pytest.fixture(scope="session", autouse=True)
def celery_test_queue(request) -> Iterator[str]:
    """This session's task queue. Whatever the tests enqueue goes there, with or without a
    worker: never to the shared default queue, where a developer's running worker (or another
    test run's) would take it and act on a database it does not belong to."""
    from celery.signals import after_task_publish

    from portal.celery import app

    xdist = getattr(request.config, "workerinput", {}).get("workerid", "main")
    queue = f"portal-test-{xdist}-{uuid.uuid4().hex[:10]}"
    previous = _use_queue(app, queue)
    published = []

    def note_publish(**kwargs):
        published.append(kwargs.get("routing_key"))

    after_task_publish.connect(note_publish, weak=False)
    yield queue
    after_task_publish.disconnect(note_publish)
    _use_queue(app, previous)
    for sent_to in sorted(set(published)):
        _clean_broker(app, sent_to)


# Fixtures whose tests have a real worker consuming the session's queue.
WORKER_FIXTURES = ("celery_worker", "fault_worker")


@pytest.fixture(autouse=True)
def _unread_queue_without_a_worker(request, celery_test_queue) -> Iterator[None]:
    """A test without a worker sends its tasks to a queue nobody reads. Its own messages are
    not for the session's worker: a transactional test's upload commits and is published, and
    the worker (started by an earlier test) would take the filing, fail to find its file under
    its own media root, and leave it 'validating' while the test validates it in process."""
    if any(name in request.fixturenames for name in WORKER_FIXTURES):
        yield
        return
    from portal.celery import app

    previous = _use_queue(app, f"{celery_test_queue}-unread")
    yield
    _use_queue(app, previous)


@pytest.fixture(scope="session")
def _celery_worker_process(
    celery_test_queue, django_db_setup, tmp_path_factory
) -> Iterator[CeleryWorker]:
    """The worker subprocess for this session (see the module docstring)."""
    from portal.celery import app

    directory = tmp_path_factory.mktemp("celery-worker")
    worker = CeleryWorker(
        queue=celery_test_queue,
        hostname=f"{celery_test_queue}@{socket.gethostname()}",
        log_path=directory / "worker.log",
        media_root=directory / "media",
    )
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        _clean_broker(app, worker.queue, worker.hostname)


@pytest.fixture
def celery_worker(_celery_worker_process, transactional_db, settings) -> Iterator[CeleryWorker]:
    """A real Celery worker consuming this session's queue against the test database.

    See tests/worker.py for what it gives and how to use it; mark tests ``worker``. After the
    test it waits for the worker to finish what the test set going, before the data go.
    """
    worker = _celery_worker_process
    if not worker.is_running():
        pytest.fail(f"the Celery worker is not running:\n{worker.log()}")
    worker.test_log_offset = worker.log_size()
    settings.MEDIA_ROOT = worker.media_root
    yield worker
    worker.wait_idle()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    worker = getattr(item, "funcargs", {}).get("celery_worker")
    if report.failed and isinstance(worker, CeleryWorker):
        report.sections.append((f"celery worker log ({call.when})", worker.test_log()))
    return report
