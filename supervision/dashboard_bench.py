"""Measuring the dashboard at national scale (``manage.py bench_dashboard``): accepted
SME-LOANS returns for every bank of the national seed over some quarters, drawn by
``reporting.synthetic``, then the dashboard page timed and its SQL queries counted."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from statistics import median
from time import perf_counter

from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.models import Branch, Institution, InstitutionKind, Office, User
from portal.scope_benchmark import bench_user
from reporting import periods, synthetic
from reporting.models import (
    Filing,
    FilingRow,
    FilingSource,
    FilingStatus,
    RequestSource,
    ReturnRequest,
)
from reporting.specs import spec_for_period
from supervision.figures import SPEC_CODE

SOURCE_REF = "bench-dashboard"
BATCH = 5000


def bench_quarters(count: int, last: str | None = None) -> list[str]:
    """``count`` quarters ending with ``last`` (default: the quarter that ended last)."""
    found = [last or periods.previous_quarter(periods.quarter_of(timezone.localdate()))]
    while len(found) < count:
        found.append(periods.previous_quarter(found[-1]))
    return found[::-1]


def lending_places() -> dict[int, list[str]]:
    """Each bank's places of lending: the division codes of its head office and branches."""
    places: dict[int, set[str]] = defaultdict(set)
    banks = Institution.objects.filter(is_active=True).exclude(kind=InstitutionKind.INSURER)
    for pk, code in banks.values_list("pk", "office__code"):
        places[pk].add(code)
    branches = Branch.objects.filter(is_active=True, institution__in=banks)
    for pk, code in branches.values_list("institution_id", "office__code"):
        places[pk].add(code)
    return {pk: sorted(codes) for pk, codes in places.items()}


def seed_returns(quarters: list[str]) -> int:
    """Accepted returns for each bank and quarter that has none yet; returns the rows stored."""
    places = lending_places()
    uploader = bench_user(Office.objects.filter(level=1).order_by("path").first())
    offices = dict(Institution.objects.filter(pk__in=places).values_list("pk", "office_id"))
    stored = 0
    for index, period in enumerate(quarters):
        spec = spec_for_period(SPEC_CODE, period)
        done = set(
            Filing.objects.filter(spec_code=SPEC_CODE, period=period, is_current=True).values_list(
                "institution_id", flat=True
            )
        )
        banks = [pk for pk in places if pk not in done]
        if not banks:
            continue
        with transaction.atomic():
            due = periods.quarter_end(period) + timedelta(days=25)
            ReturnRequest.objects.bulk_create(
                [
                    ReturnRequest(
                        spec_code=SPEC_CODE,
                        spec_version=spec.version,
                        period=period,
                        institution_id=pk,
                        office_id=offices[pk],
                        due_date=due,
                        source=RequestSource.SCHEDULE,
                        source_ref=SOURCE_REF,
                    )
                    for pk in banks
                ],
                batch_size=BATCH,
                ignore_conflicts=True,
            )
            requests = dict(
                ReturnRequest.objects.filter(
                    spec_code=SPEC_CODE, period=period, source_ref=SOURCE_REF, branch=None
                ).values_list("institution_id", "pk")
            )
            filings = Filing.objects.bulk_create(
                [
                    Filing(
                        request_id=requests[pk],
                        spec_code=SPEC_CODE,
                        spec_version=spec.version,
                        period=period,
                        institution_id=pk,
                        version=1,
                        original_name="bench.xlsx",
                        source=FilingSource.JSON,
                        uploaded_by=uploader,
                        status=FilingStatus.ACCEPTED,
                        is_current=True,
                        row_count=len(places[pk]),
                    )
                    for pk in banks
                ],
                batch_size=BATCH,
            )
            stored += _store_rows(spec, filings, places, seed=index + 1)
    return stored


def _store_rows(spec, filings: list[Filing], places: dict[int, list[str]], seed: int) -> int:
    """One synthetic frame for all the quarter's returns, a row per bank and place."""
    owners = [(f.pk, code) for f in filings for code in places[f.institution_id]]
    frame = synthetic.synthetic_frame(
        spec, len(owners), seed=seed, counties=tuple(code for _, code in owners)
    )
    batch = []
    for (filing_id, code), values in zip(owners, frame.iter_rows(), strict=True):
        data = [None if v is None else str(v) for v in values]
        batch.append(FilingRow(filing_id=filing_id, row=3, key=code, data=data))
        if len(batch) == BATCH:
            FilingRow.objects.bulk_create(batch)
            batch = []
    FilingRow.objects.bulk_create(batch)
    return len(owners)


@dataclass(frozen=True)
class Measure:
    label: str
    office: Office
    median_seconds: float
    queries: int

    def line(self) -> str:
        return (
            f"{self.label} ({self.office.code}) dashboard: median {self.median_seconds:.3f} s, "
            f"{self.queries} SQL queries"
        )


def measure(office: Office, period: str, runs: int, label: str) -> Measure:
    """Render ``office``'s dashboard for a head of it: one warm-up, then ``runs`` timed."""
    from supervision.views.dashboards import dashboard

    user = bench_user(office)

    def render() -> None:
        request = RequestFactory().get(f"/dashboards/{office.code}/", {"period": period})
        request.user = User.objects.get(pk=user.pk)  # as each request loads its user
        response = dashboard(request, code=office.code)
        assert response.status_code == 200, response.status_code

    render()
    with CaptureQueriesContext(connection) as captured:
        render()
    timings = []
    for _ in range(runs):
        started = perf_counter()
        render()
        timings.append(perf_counter() - started)
    return Measure(label, office, median(timings), len(captured))
