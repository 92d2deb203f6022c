"""Claiming queued work for a worker: a queued row is taken once, a finished or freshly
running one is left alone, and one left running past the limit (its worker lost) is taken
again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import JobStatus, Role
from supervision.dashboards.models import DashboardExport, ExportKind
from tests import factories as f

pytestmark = pytest.mark.django_db
LIMIT = timedelta(minutes=30)


@pytest.fixture
def export(db):
    office = f.office("000000", "总局")
    return DashboardExport.objects.create(
        kind=ExportKind.FIGURES,
        office=office,
        period="2025Q3",
        requested_by=f.member(Role.HEAD, office=office),
    )


def _claim(pk: int):
    return DashboardExport.claim(pk, LIMIT)


def test_a_queued_row_is_claimed_once(export):
    taken = _claim(export.pk)
    assert taken.status == JobStatus.RUNNING and taken.started_at is not None
    assert _claim(export.pk) is None  # the task delivered again


def test_a_row_running_past_the_limit_is_claimed_again(export):
    _claim(export.pk)
    lost = timezone.now() - LIMIT - timedelta(seconds=1)
    DashboardExport.objects.filter(pk=export.pk).update(started_at=lost)
    again = _claim(export.pk)
    assert again is not None and again.started_at > lost


def test_finished_rows_are_left_alone(export):
    for status in (JobStatus.DONE, JobStatus.FAILED):
        DashboardExport.objects.filter(pk=export.pk).update(status=status)
        assert _claim(export.pk) is None


def test_finishing_records_the_outcome_with_the_jobs_own_fields(export):
    taken = _claim(export.pk)
    taken.finish(JobStatus.FAILED, error="ValueError: no data")
    stored = DashboardExport.objects.get(pk=export.pk)
    assert (stored.status, stored.error) == (JobStatus.FAILED, "ValueError: no data")
    assert stored.finished_at is not None and not stored.is_pending
