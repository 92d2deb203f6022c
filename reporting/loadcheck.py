"""A bounded load run on this machine (``manage.py loadcheck``, ``make loadcheck``): gunicorn, a
Celery worker and locust's headless users on the loopback interface, against the configured
database, then a check in the database that every upload became exactly one final filing.

Bank officers upload a clean return and watch it being checked, reviewers open the review
queue and its filings, regulators browse (loadcheck/locustfile.py). The run is fixed: so many
users for so many seconds. Nothing listens beyond 127.0.0.1.
"""

import csv
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from portal.demo import DEMO_PASSWORD
from portal.models import Membership, Role
from reporting import generation, synthetic
from reporting.models import PENDING_STATUSES, Filing, ReturnRequest

LOCUSTFILE = Path(settings.BASE_DIR) / "loadcheck" / "locustfile.py"
BIN = str(Path(sys.executable).parent)
REVIEWERS = ["fj.reviewer@demo.portal", "fz.reviewer@demo.portal"]
REGULATORS = ["qz.viewer@demo.portal", "gulou.viewer@demo.portal", "gb.head@demo.portal"]


@dataclass
class Outcome:
    uploads: int  # successful upload requests, as locust counted them
    filings: Counter[str]  # the filings made during the run, by status
    requests: list[dict[str, str]]  # locust's statistics, one row per request name

    @property
    def pending(self) -> int:
        return sum(self.filings[status] for status in PENDING_STATUSES)

    @property
    def exact(self) -> bool:
        return self.pending == 0 and sum(self.filings.values()) == self.uploads


def officers(folder: Path) -> list[str]:
    """``email=request=workbook`` for each demo preparer with an open SME-LOANS request: the
    request they file against and a return for it that the worker finds nothing wrong with."""
    found = []
    preparers = Membership.objects.filter(role=Role.PREPARER, user__is_active=True)
    for member in preparers.select_related("user").order_by("user__email"):
        if member.branch_id is not None:
            requests = ReturnRequest.objects.filter(branch_id=member.branch_id)
        elif member.institution_id is not None:
            requests = ReturnRequest.objects.filter(
                institution_id=member.institution_id, branch=None
            )
        else:
            continue
        requests = requests.filter(spec_code="SME-LOANS", closed_at=None)
        chosen = requests.order_by("-period").first()
        if chosen is None:
            continue
        target = generation.for_request(chosen)
        made = generation.generate(target, rows=min(target.most_rows or 20, 20), defects=[])
        workbook = folder / f"request-{chosen.pk}.xlsx"
        synthetic.write_return(target.spec, made.frame, workbook)
        found.append(f"{member.user.email}={chosen.pk}={workbook}")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", PORTAL_REQUIRE_2FA="0", **extra)
    return env


@contextmanager
def running(folder: Path) -> Iterator[str]:
    """Gunicorn and a worker for the run; yields the portal's address."""
    port = _free_port()
    env = _environment(PORTAL_TASK_QUEUE=f"loadcheck-{port}")
    logs = (folder / "gunicorn.log").open("wb"), (folder / "worker.log").open("wb")
    web = [f"{BIN}/gunicorn", "portal.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    worker = [f"{BIN}/celery", "--app", "portal", "worker", "--concurrency", "2"]
    worker += ["--queues", env["PORTAL_TASK_QUEUE"], "--without-mingle", "--without-gossip"]
    processes = [
        subprocess.Popen(web, cwd=settings.BASE_DIR, env=env, stdout=logs[0], stderr=logs[0]),
        subprocess.Popen(worker, cwd=settings.BASE_DIR, env=env, stdout=logs[1], stderr=logs[1]),
    ]
    try:
        _wait_for(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not listen on 127.0.0.1:{port} in {seconds:.0f} s")


def swarm(host: str, folder: Path, users: int, seconds: int, officer_list: list[str]) -> None:
    """locust, headless, for exactly this many users and seconds; statistics to CSV."""
    env = _environment(
        LOADCHECK_PASSWORD=DEMO_PASSWORD,
        LOADCHECK_OFFICERS=",".join(officer_list),
        LOADCHECK_REVIEWERS=",".join(REVIEWERS),
        LOADCHECK_REGULATORS=",".join(REGULATORS),
    )
    command = [f"{BIN}/locust", "--locustfile", str(LOCUSTFILE), "--headless", "--host", host]
    command += ["--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s"]
    command += ["--csv", str(folder / "load"), "--only-summary", "--loglevel", "WARNING"]
    command += ["--stop-timeout", "30"]
    with (folder / "locust.log").open("wb") as log:
        subprocess.run(command, env=env, stdout=log, stderr=log, check=False, timeout=seconds + 120)


def wait_for_worker(since: datetime, seconds: float) -> None:
    """Until no filing of the run is waiting or being checked (or the time is up)."""
    deadline = time.monotonic() + seconds
    pending = Filing.objects.filter(uploaded_at__gte=since, status__in=PENDING_STATUSES)
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(1)


def outcome(folder: Path, since: datetime) -> Outcome:
    with (folder / "load_stats.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    upload = next((row for row in rows if row["Name"] == "upload"), None)
    uploads = int(upload["Request Count"]) - int(upload["Failure Count"]) if upload else 0
    statuses = Filing.objects.filter(uploaded_at__gte=since).values_list("status", flat=True)
    return Outcome(uploads=uploads, filings=Counter(statuses), requests=rows)


def started() -> datetime:
    return timezone.now()
