"""The floor of a benchmark: the same work done the plainest way the database and the file
allow (one read into strings, one COPY, one INSERT ... SELECT, one UPDATE, one aggregate),
measured in the same run on the same data. A time alone says more about the machine, which
eight people share, than about the code; the ratio ours / floor says how far the code is
from what the machine can do, and the load average beside it says how busy it was.

Every ``bench_*`` command prints its lines through ``line`` so that they read alike."""

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction


@dataclass(frozen=True)
class Floor:
    what: str  # the plain work, in words: "one UPDATE of the due cases"
    seconds: float


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def measure(what: str, work: Callable[[], object]) -> Floor:
    return Floor(what, timed(work))


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def line(label: str, seconds: float, floor: Floor) -> str:
    """``label``: our time, the floor's, the ratio and the machine's load, on one line."""
    ratio = f"{seconds / floor.seconds:.1f}" if floor.seconds > 0 else "-"
    return (
        f"{label}: {seconds:.3f} s; floor {floor.seconds:.3f} s ({floor.what}); "
        f"ours/floor {ratio}; {load_average()}"
    )


@contextmanager
def scratch_table(name: str, columns: str) -> Iterator[str]:
    """A temporary table of this connection (``columns`` as SQL), dropped afterwards: what a
    floor writes into, with no index, constraint or trigger."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ({columns})")
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


@contextmanager
def undone() -> Iterator[None]:
    """A floor that changes rows (an UPDATE of the cases ours will then move) is rolled back to
    a savepoint, so that ours then does its work on the same data."""

    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            yield
            raise Undo
    except Undo:
        pass
