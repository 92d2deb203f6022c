"""The national screening benchmark: a task of the General Bureau over every county of every
province (5,000,000 enterprises by default), passed down to the counties and assigned in round
robin by the worker's job, and rolled up at the General Bureau; each step timed, the pass-down
beside its floor.

A sheet holds at most 1,048,576 rows, so the list is a sample workbook read and checked as a
real one, repeated with fresh credit codes up to the size asked for, and stored by the
task's own service.
"""

from collections.abc import Callable
from datetime import timedelta

import polars as pl
from django.db import connection
from django.utils import timezone

from portal import floors
from portal.models import Office, OfficeLevel
from supervision.screening import bench, rollup
from supervision.screening import jobs as screening_jobs
from supervision.screening import services as screening
from supervision.screening.models import ScreeningJob, ScreeningTask, TaskEnterprise

SAMPLE_ROWS = 50_000


def _repeated(sample: pl.DataFrame, rows: int) -> pl.DataFrame:
    """The sample repeated up to ``rows``, each enterprise with a credit code of its own (18
    characters, unique in the task)."""
    frame = pl.concat([sample] * -(-rows // sample.height)).head(rows)
    codes = pl.int_range(0, rows, eager=True).cast(pl.String).str.zfill(16)
    return frame.with_columns(("91" + codes).alias("credit_code"))


def _create(user, office: Office, rows: int, counties: list[str], timings) -> ScreeningTask:
    sample = bench.read_list(min(rows, SAMPLE_ROWS), counties, timings)
    enterprises = _repeated(sample, rows)
    with timings.step(f"create the task (store {rows:,} enterprises)"):
        return screening.task_create(
            user,
            office,
            title=bench.BENCH_TITLE,
            deadline=timezone.localdate() + timedelta(days=30),
            enterprises=enterprises,
        )


def run(rows: int, keep: bool, say: Callable[[str], None]) -> bench.Timings:
    office = Office.objects.filter(level=OfficeLevel.GENERAL).first()
    if office is None:
        raise ValueError("no General Bureau: run seed_national first")
    counties = bench.province_counties(office)
    user = bench.bench_user(office)
    for leftover in ScreeningTask.objects.filter(title=bench.BENCH_TITLE, created_by=user):
        bench.remove(leftover)
    timings = bench.Timings()
    provinces = Office.objects.filter(level=OfficeLevel.PROVINCIAL).count()
    say(
        f"bench_screening --national: {rows:,} enterprises in {len(counties)} counties of "
        f"{provinces} provinces on {connection.vendor}"
    )
    task = _create(user, office, rows, counties, timings)
    job = ScreeningJob.objects.create(
        task=task, office=office, kind=ScreeningJob.Kind.PASS_DOWN, requested_by=user
    )
    with timings.step("delegate to every county and assign in round robin (the worker's job)"):
        screening_jobs.run(job.pk)
    job.refresh_from_db()
    say(
        f"  the job: {job.status}, {job.result.get('offices')} offices, {job.result.get('banks')} "
        f"assignments, {job.result.get('enterprises'):,} enterprises assigned{job.errors or ''}"
    )
    say("  " + floors.line(*timings.lines[-1], bench.assignment_floor(task)))
    # Unanswered: the roll-up reads the same rows whatever they say, and answering five
    # million (bench.answer's UPDATEs) would take longer than the rest of the run.
    with timings.step("ANALYZE"), connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TaskEnterprise._meta.db_table}")
    with timings.step("roll up at the General Bureau (kept counts)"):
        kept = rollup.kept(task, office)
    with timings.step("roll up at the General Bureau (one aggregate over the enterprises)"):
        scanned = rollup.rollup(TaskEnterprise.objects.filter(task=task), office)
    say("  " + bench.agreement(kept, scanned))
    if not keep:
        with timings.step("remove the bench task"):
            bench.remove(task)
    return timings
