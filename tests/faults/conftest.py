"""The fault suite's broker and worker: a redis-server of its own on a free port (the machine's
Redis is never stopped), which a test may stop and start again, and a real Celery worker
(tests/worker.py's) connected to it, as is this process's Celery app while the module runs.

The Redis keeps an append-only file, as the README asks of production, so that what it held
when it stopped is there when it starts again.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests.worker import CeleryWorker, _clean_broker, _use_queue

# The outage the worker must live through; the issue asks 60 s, CI may pass less to stay fast.
OUTAGE_SECONDS = float(os.environ.get("PORTAL_FAULT_OUTAGE_SECONDS", "60"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class OwnRedis:
    directory: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.directory),
        ]  # fmt: skip
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # a clean shutdown: the append-only file is complete
            self.process.wait(20)
        self.process = None


def _use_broker(app, url: str) -> str:
    """Point this process's Celery app at ``url``; returns the broker it used before."""
    from kombu import pools

    previous = app.conf.broker_url
    with contextlib.suppress(Exception):
        pools.reset()  # kombu's process-wide pools, keyed by the broker's address, closed
    app.conf.broker_url = url
    app._pool = None
    for cached in ("amqp", "control"):
        app.__dict__.pop(cached, None)
    return previous


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory) -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("the fault suite needs redis-server (apt install redis-server)")
    server = OwnRedis(directory=tmp_path_factory.mktemp("redis"), port=_free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


class FaultWorker(CeleryWorker):
    """tests/worker.py's worker, on the suite's own Redis, keeping its database connections
    for a minute (the README's production advice) so that a dropped one must be noticed."""

    broker_url: str = ""

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env.update(REDIS_URL=self.broker_url, PORTAL_DB_CONN_MAX_AGE="60")
        return env


@pytest.fixture(scope="module")
def _fault_worker_process(
    own_redis, celery_test_queue, django_db_setup, tmp_path_factory
) -> Iterator[FaultWorker]:
    from portal.celery import app

    previous = _use_broker(app, own_redis.url)
    # A queue of its own as well: a message that reached the session's broker by mistake must
    # wait there, not be taken by the session's worker and pass for this worker's work.
    queue = f"{celery_test_queue}-faults"
    previous_queue = _use_queue(app, queue)
    directory = tmp_path_factory.mktemp("fault-worker")
    worker = FaultWorker(
        queue=queue,
        hostname=f"{queue}@{socket.gethostname()}",
        log_path=directory / "worker.log",
        media_root=directory / "media",
    )
    worker.broker_url = own_redis.url
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        _clean_broker(app, worker.queue, worker.hostname)
        _use_queue(app, previous_queue)
        _use_broker(app, previous)


@pytest.fixture
def fault_worker(_fault_worker_process, own_redis, transactional_db, settings):
    """The worker for one test; its broker is running when the test starts and ends."""
    worker = _fault_worker_process
    if own_redis.process is None:
        own_redis.start()
    if not worker.is_running():
        pytest.fail(f"the Celery worker is not running:\n{worker.log()}")
    worker.test_log_offset = worker.log_size()
    settings.MEDIA_ROOT = worker.media_root
    yield worker
    if own_redis.process is None:
        own_redis.start()
    from portal.celery import app

    _use_broker(app, own_redis.url)  # the pooled connections died with the stopped server
    worker.wait_idle(timeout=60)
