"""The ingest benchmark: our pipeline on a generated return, in a fresh worker-like process,
against the naive way (openpyxl full load, one model save per row)."""

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import fastexcel
import polars as pl
from django.conf import settings
from django.core.files import File
from django.db import connection

from portal import floors
from portal.models import (
    Division,
    Institution,
    InstitutionKind,
    Membership,
    Office,
    OfficeLevel,
    Role,
    User,
)
from reporting import generation, synthetic
from reporting.models import (
    PENDING_STATUSES,
    Filing,
    FilingRow,
    FilingSource,
    RequestSource,
    ReturnRequest,
)
from reporting.spec import HEADER_ROWS, ReturnSpec


@dataclass
class Measure:
    rows: int
    seconds: float
    peak_rss_mib: float = 0.0
    status: str = ""

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def bench_file(target: generation.Target, rows: int) -> Path:
    """The return ``generate_return`` would make for the bench filer (``target``) at this size,
    made once and kept under the data directory."""
    spec = target.spec
    folder = Path(settings.DATA_DIR) / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{spec.code}-{spec.version}-{rows}.xlsx"
    if not path.exists():
        synthetic.write_return(spec, target.frame(rows), path)
    return path


def bench_target(spec: ReturnSpec) -> generation.Target:
    """The bench filer's clean return of ``spec``, as ``generate_return --request`` makes it."""
    return generation.for_request(_bench_request(spec))


def _bench_request(spec: ReturnSpec) -> ReturnRequest:
    office = Office.objects.filter(depth=1).first() or Office.objects.add_root(
        {
            "code": "000000",
            "name_zh": "基准测试总局",
            "name_en": "Benchmark bureau",
            "level": OfficeLevel.GENERAL,
        }
    )
    institution, _ = Institution.objects.get_or_create(
        credit_code="91350100M000100Y43",
        defaults={
            "name_zh": "基准测试银行",
            "name_en": "Benchmark bank",
            "office": office,
            "kind": InstitutionKind.CITY_COMMERCIAL,
        },
    )
    request, _ = ReturnRequest.objects.get_or_create(
        spec_code=spec.code,
        spec_version=spec.version,
        period="BENCH",
        institution=institution,
        branch=None,
        source_ref="bench",
        defaults={
            "office": institution.office,
            "due_date": date(2099, 12, 31),
            "source": RequestSource.OFFICE,
        },
    )
    return request


def bench_filing(spec: ReturnSpec, path: Path) -> Filing:
    request = _bench_request(spec)
    user, _ = User.objects.get_or_create(email="bench@portal.invalid")
    filing = Filing(
        request=request,
        spec_code=spec.code,
        spec_version=spec.version,
        period="BENCH",
        institution=request.institution,
        check_only=False,
        version=(request.filings.count() + 1),
        original_name=path.name,
        size=path.stat().st_size,
        source=FilingSource.API,
        uploaded_by=user,
    )
    with path.open("rb") as handle:
        filing.file.save(path.name, File(handle), save=False)
    filing.save()
    return filing


# The worker's side, in a fresh interpreter so that its peak RSS is the pipeline's own.
_CHILD = """
import resource, sys, time
import django
django.setup()
from reporting import pipeline
started = time.perf_counter()
pipeline.run(int(sys.argv[1]))
seconds = time.perf_counter() - started
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def measure_pipeline(filing: Filing) -> Measure:
    """Run the worker's pipeline on ``filing`` in a fresh process; its time and peak RSS."""
    connection.close()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(filing.pk)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    seconds, peak = (float(x) for x in done.stdout.split()[-2:])
    filing.refresh_from_db()
    return Measure(filing.row_count, seconds, peak, filing.status)


def measure_floor(spec: ReturnSpec, path: Path) -> floors.Floor:
    """The floor of ingesting ``path``: one read of its data sheet into strings (no typing, no
    checks) and one COPY of them into a scratch table (batched inserts on SQLite)."""

    def work() -> None:
        frame = (
            fastexcel.read_excel(path)
            .load_sheet(spec.sheet, header_row=None, skip_rows=HEADER_ROWS, dtypes="string")
            .to_polars()
        )
        columns = ", ".join(f"c{i} text" for i in range(frame.width))
        with floors.scratch_table("bench_ingest_floor", columns) as table:
            _copy_strings(table, frame)

    what = "one read of the sheet into strings, one COPY of them into a scratch table"
    return floors.measure(what, work)


def _copy_strings(table: str, frame: pl.DataFrame) -> None:
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            marks = ", ".join("%s" for _ in range(frame.width))
            for batch in frame.iter_slices(5_000):
                cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", batch.rows())
            return
        with cursor.cursor.copy(f"COPY {table} FROM STDIN (FORMAT csv)") as copy:
            for chunk in frame.iter_slices(100_000):
                copy.write(chunk.write_csv(include_header=False))


def measure_naive(spec: ReturnSpec, path: Path, filing: Filing) -> Measure:
    """openpyxl loads the whole workbook, then one ``save()`` per row."""
    from openpyxl import load_workbook

    started = time.perf_counter()
    sheet = load_workbook(path)[spec.sheet]
    keys = spec.column_keys
    rows = 0
    for number, values in enumerate(
        sheet.iter_rows(min_row=HEADER_ROWS + 1, values_only=True), start=HEADER_ROWS + 1
    ):
        data = {
            k: (v if isinstance(v, int | float | str) or v is None else str(v))
            for k, v in zip(keys, values, strict=False)
        }
        FilingRow(filing=filing, row=number, key=str(values[0]), data=data).save()
        rows += 1
    seconds = time.perf_counter() - started
    FilingRow.objects.filter(filing=filing).delete()
    return Measure(rows, seconds)


def measure_latency(rows: int = 20, timeout: float = 60.0) -> Measure:
    """Upload a small quarterly return through the service and time until a real worker's
    report is stored: the filer's wait, queue and worker start-up excluded."""
    from portal.celery import app
    from reporting import filings
    from reporting.specs import get_spec

    spec = get_spec("SME-LOANS")
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    app.conf.task_default_queue = queue
    settings.PORTAL_HEAVY_QUEUE = ""  # the bench's one worker serves every task, heavy or not
    env = {**os.environ, "PORTAL_TASK_QUEUE": queue}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel",
            "WARNING",
        ],
        env=env,
        cwd=settings.BASE_DIR,
    )
    try:
        _wait_for_worker(app, queue, timeout)
        request = _bench_request(spec)
        for code in synthetic.DEFAULT_COUNTIES:
            Division.objects.get_or_create(
                code=code, defaults={"office": request.office, "name_zh": code, "name_en": code}
            )
        # The bench bank has no branches, so it is given these counties to lend in: a
        # quarterly return is one row per county.
        target = replace(generation.for_request(request), counties=synthetic.DEFAULT_COUNTIES)
        path = bench_file(target, rows)
        user, _ = User.objects.get_or_create(email="bench@portal.invalid")
        Membership.objects.get_or_create(
            user=user, institution=request.institution, role=Role.PREPARER
        )
        started = time.perf_counter()
        with path.open("rb") as handle:
            filing = filings.filing_upload(user, request, File(handle), name=path.name)
        while Filing.objects.filter(pk=filing.pk, status__in=PENDING_STATUSES).exists():
            if time.perf_counter() - started > timeout:
                raise TimeoutError("the worker did not validate the filing in time")
            time.sleep(0.02)
        seconds = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    filing.refresh_from_db()
    return Measure(filing.row_count, seconds, status=filing.status)


def _wait_for_worker(app, queue: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.inspect(timeout=1).active_queues() or {}
        if any(q["name"] == queue for queues in replies.values() for q in queues):
            return
    raise TimeoutError("the benchmark's worker did not start")
