"""Claiming queued work for a worker: a queued row is taken once, a finished or freshly
running one is left alone, and one left running past the limit (its worker lost) is taken
again."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal import jobs
from portal.models import Role
from supervision.dashboards.models import DashboardExport, ExportKind, ExportStatus
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
    return jobs.claim(DashboardExport.objects.all(), pk, LIMIT, state_field="status")


def test_a_queued_row_is_claimed_once(export):
    taken = _claim(export.pk)
    assert taken.status == ExportStatus.RUNNING and taken.started_at is not None
    assert _claim(export.pk) is None  # the task delivered again


def test_a_row_running_past_the_limit_is_claimed_again(export):
    _claim(export.pk)
    lost = timezone.now() - LIMIT - timedelta(seconds=1)
    DashboardExport.objects.filter(pk=export.pk).update(started_at=lost)
    again = _claim(export.pk)
    assert again is not None and again.started_at > lost


def test_finished_rows_are_left_alone(export):
    for status in (ExportStatus.DONE, ExportStatus.FAILED):
        DashboardExport.objects.filter(pk=export.pk).update(status=status)
        assert _claim(export.pk) is None
