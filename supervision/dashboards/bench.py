"""Measuring the dashboard at national scale (``manage.py bench_dashboard``): accepted
SME-LOANS returns for every bank of the national seed over some quarters, drawn by
``reporting.generation`` as ``generate_return`` draws them, then the dashboard page timed and
its SQL queries counted."""

from collections import defaultdict
from dataclasses import dataclass
from statistics import median
from time import perf_counter, process_time

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal import floors
from portal.models import Institution, InstitutionKind, Office, User
from portal.runtime import settle_heap
from portal.scope_benchmark import bench_user
from reporting import generation, history, periods
from reporting.models import Filing
from reporting.specs import spec_for_period
from supervision.dashboards.figures import SPEC_CODE
from supervision.dashboards.insurance import SPEC_CODE as INSURANCE_CODE
from supervision.dashboards.models import LENDING_FIGURES, LendingRow


def bench_quarters(count: int, last: str | None = None) -> list[str]:
    """``count`` quarters ending with ``last`` (default: the quarter that ended last)."""
    found = [last or periods.previous_quarter(periods.quarter_of(timezone.localdate()))]
    while len(found) < count:
        found.append(periods.previous_quarter(found[-1]))
    return found[::-1]


def seed_returns(quarters: list[str]) -> int:
    """Accepted returns for each bank and quarter that has none yet, written as the scoring
    benchmark writes its history (``reporting.history``); returns how many were added."""
    banks = Institution.objects.filter(is_active=True).exclude(kind=InstitutionKind.INSURER)
    institutions = banks.select_related("office").in_bulk()
    places = history.lending_places(institutions.values())
    general_bureau = Office.objects.filter(level=1).order_by("path").first()
    assert general_bureau is not None, "bench_dashboard stops first when there are no offices"
    uploader = bench_user(general_bureau)
    owners = [(pk, code) for pk, codes in places.items() for code in codes]
    added = 0
    for index, period in enumerate(quarters):
        # Every bank's rows drawn as one frame by generate_return's generator: one row per
        # (bank, place), the places being where each bank lends.
        version = spec_for_period(SPEC_CODE, period).version
        counties = tuple(code for _, code in owners)
        frame = generation.unattached(SPEC_CODE, version, counties).frame(len(owners), index + 1)
        rows: dict[int, list[dict]] = defaultdict(list)
        for (pk, _code), row in zip(owners, frame.iter_rows(named=True), strict=True):
            rows[pk].append(row)
        filed = [history.Filed(institutions[pk], period, rows[pk]) for pk in places]
        added += history.write(filed, uploader)
    return added + seed_insurance(quarters, uploader)


INSURANCE_LINES = 8  # product lines each insurer files


def seed_insurance(quarters: list[str], uploader: User) -> int:
    """Accepted SME-INSURANCE returns of every insurer for these quarters, for the insurance
    view's measure."""
    insurers = list(
        Institution.objects.filter(is_active=True, kind=InstitutionKind.INSURER).select_related(
            "office"
        )
    )
    added = 0
    for index, period in enumerate(quarters):
        # Drawn by generate_return's generator too: a row per product line, not per county.
        version = spec_for_period(INSURANCE_CODE, period).version
        rows = generation.unattached(INSURANCE_CODE, version).frame(INSURANCE_LINES, index + 1)
        filed = [history.Filed(insurer, period, rows.to_dicts()) for insurer in insurers]
        added += history.write(filed, uploader)
    return added


def summary_floor(period: str) -> floors.Floor:
    """One aggregate over a per-period summary of the quarter's accepted lending rows (a row
    per county, as a summary written at acceptance would hold them; built first, untimed)."""
    figures = ", ".join(f"SUM({key})" for key in LENDING_FIGURES)
    columns = ", ".join(["county_id varchar(12)", *(f"{key} numeric" for key in LENDING_FIGURES)])
    rows, filings = LendingRow._meta.db_table, Filing._meta.db_table
    with (
        floors.scratch_table("bench_dashboard_floor", columns) as table,
        connection.cursor() as cursor,
    ):
        cursor.execute(
            f"INSERT INTO {table} SELECT r.county_id, {figures} FROM {rows} r "
            f"JOIN {filings} f ON f.id = r.filing_id WHERE f.period = %s AND f.is_current "
            "GROUP BY r.county_id",
            [period],
        )

        def work() -> None:
            cursor.execute(f"SELECT COUNT(*), {figures} FROM {table}")
            cursor.fetchall()

        return floors.measure("one aggregate over a per-period summary", work)


@dataclass(frozen=True)
class Measure:
    label: str
    office: Office
    median_seconds: float
    cpu_seconds: float  # this process's CPU time (rendering, Python), median
    database_seconds: float  # time in the database's queries, one render
    queries: int

    page: str = "dashboard"

    def line(self, floor: floors.Floor) -> str:
        label = (
            f"{self.label} ({self.office.code}) {self.page}, median, {self.queries} SQL queries "
            f"(web process CPU {self.cpu_seconds:.3f} s, database {self.database_seconds:.3f} s)"
        )
        return floors.line(label, self.median_seconds, floor)


def measure(office: Office, period: str, runs: int, label: str, insurance: bool = False) -> Measure:
    """Render ``office``'s dashboard (or its insurance view) for a head of it: one warm-up,
    then ``runs`` timed, with the heap settled as the web process settles it at start-up
    (``portal.wsgi``)."""
    from supervision.dashboards.insurance_views import insurance_page
    from supervision.dashboards.views import dashboard

    view = insurance_page if insurance else dashboard

    user = bench_user(office)
    settle_heap()

    def render() -> None:
        request = RequestFactory().get(f"/dashboards/{office.code}/", {"period": period})
        request.user = User.objects.get(pk=user.pk)  # as each request loads its user
        request.LANGUAGE_CODE = "zh-hans"  # as the locale middleware sets it
        response = view(request, code=office.code)
        assert response.status_code == 200, response.status_code

    render()
    with CaptureQueriesContext(connection) as captured:
        render()
    timings, cpu = [], []
    for _ in range(runs):
        started, started_cpu = perf_counter(), process_time()
        render()
        timings.append(perf_counter() - started)
        cpu.append(process_time() - started_cpu)
    database = sum(float(query["time"]) for query in captured.captured_queries)
    page = "insurance view" if insurance else "dashboard"
    return Measure(label, office, median(timings), median(cpu), database, len(captured), page)
