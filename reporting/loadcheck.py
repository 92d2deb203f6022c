"""A bounded load run on this machine (``manage.py loadcheck``, ``make loadcheck``): gunicorn, a
Celery worker and locust's headless users on the loopback interface, against the configured
database, then a check in the database that every upload became exactly one final filing.

Bank officers upload a clean return and watch it being checked, reviewers open the review
queue and its filings, regulators browse (loadcheck/locustfile.py). The run is fixed: so many
users for so many seconds. Nothing listens beyond 127.0.0.1.
"""

import json
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
LEDGER = "uploads.log"  # the locust users' account of their uploads (loadcheck/locustfile.py)


@dataclass
class RequestLine:
    """One request name's figures from locust's final statistics."""

    name: str
    count: int
    failed: int
    median_ms: int
    p95_ms: int


@dataclass
class Outcome:
    answered: list[int]  # the filing ids the portal answered uploads with, one per upload
    refused: int  # uploads the portal answered without a filing (an error page)
    unanswered: int  # uploads sent that got no answer (cut off by the run's end, a lost line)
    filings: dict[int, str]  # the filings made during the run: id -> status
    requests: list[RequestLine]  # locust's final statistics, one line per request name

    @property
    def pending(self) -> int:
        return sum(status in PENDING_STATUSES for status in self.filings.values())

    @property
    def statuses(self) -> Counter[str]:
        return Counter(self.filings.values())

    @property
    def missing(self) -> set[int]:
        """Answered ids with no filing of the run (the answer named another upload's filing)."""
        return set(self.answered) - set(self.filings)

    @property
    def unexplained(self) -> int:
        """Filings beyond those answered that no unanswered upload accounts for: a filing
        made twice for one upload, or by nobody's upload."""
        extra = len(set(self.filings) - set(self.answered))
        return max(0, extra - self.unanswered)

    @property
    def exact(self) -> bool:
        once = len(self.answered) == len(set(self.answered))
        return once and not (self.pending or self.missing or self.unexplained)


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
        LOADCHECK_LEDGER=str(folder / LEDGER),
    )
    command = [f"{BIN}/locust", "--locustfile", str(LOCUSTFILE), "--headless", "--host", host]
    command += ["--users", str(users), "--spawn-rate", str(users), "--run-time", f"{seconds}s"]
    # Statistics as locust holds them once every user has stopped (its CSV, a snapshot taken
    # every second, misses requests that finish as the run stops).
    command += ["--json-file", str(folder / "load"), "--only-summary", "--loglevel", "WARNING"]
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
    entries = json.loads((folder / "load.json").read_text(encoding="utf-8"))
    sent, answered, refused = _ledger(folder / LEDGER)
    filings = dict(Filing.objects.filter(uploaded_at__gte=since).values_list("pk", "status"))
    return Outcome(
        answered=list(answered.values()),
        refused=len(refused),
        unanswered=len(sent - answered.keys() - refused),
        filings=filings,
        requests=[*map(_line, entries), _line({"name": "Aggregated"}, entries)],
    )


def _line(entry: dict, of: list[dict] | None = None) -> RequestLine:
    """A request name's line (``of``: the sum of several, as locust's "Aggregated")."""
    parts = of if of is not None else [entry]
    times: Counter[int] = Counter()
    for part in parts:
        times.update({int(ms): count for ms, count in part["response_times"].items()})
    return RequestLine(
        name=entry["name"],
        count=sum(part["num_requests"] for part in parts),
        failed=sum(part["num_failures"] for part in parts),
        median_ms=_percentile(times, 0.5),
        p95_ms=_percentile(times, 0.95),
    )


def _percentile(times: Counter[int], fraction: float) -> int:
    """The response time (ms, as locust rounds them) below which ``fraction`` of requests
    fell; 0 without requests."""
    wanted, seen = fraction * sum(times.values()), 0
    for ms in sorted(times):
        seen += times[ms]
        if seen >= wanted:
            return ms
    return 0


def _ledger(path: Path) -> tuple[set[str], dict[str, int], set[str]]:
    """The uploads sent, the filing id each answered one got, and those refused, by key."""
    sent: set[str] = set()
    answered: dict[str, int] = {}
    refused: set[str] = set()
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    for what, key, *rest in (line.split() for line in lines if line.strip()):
        if what == "sent":
            sent.add(key)
        elif what == "filing":
            answered[key] = int(rest[0])
        else:
            refused.add(key)
    return sent, answered, refused


def started() -> datetime:
    return timezone.now()
