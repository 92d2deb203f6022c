"""Return requests: opened by the calendar, closed when the late period lapses, reopened for
one filer by its supervising office with a reason."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from portal.models import InstitutionKind, Role
from reporting import schedule
from reporting.models import ReturnRequest
from tests import factories as f
from tests.reporting.returns import loan_row, upload, workbook

pytestmark = pytest.mark.django_db

SCHEDULED = ReturnRequest.objects.filter(source="schedule", source_ref="", branch=None)


def test_the_calendar_opens_last_quarters_requests_once(matrix, settings):
    settings.PORTAL_RETURN_DUE_DAYS = 25
    insurer = f.InstitutionFactory(kind=InstitutionKind.INSURER, office=matrix.p1)
    assert schedule.open_periodic_requests(date(2025, 4, 2)) >= 3
    assert schedule.open_periodic_requests(date(2025, 4, 20)) == 0
    loans = SCHEDULED.get(institution=matrix.bank_a, spec_code="SME-LOANS")
    # A new request is for the version in force: the 2025 version's revision.
    assert (loans.period, loans.spec_version, loans.due_date) == (
        "2025Q1",
        "2025.2",
        date(2025, 4, 25),
    )
    assert SCHEDULED.get(institution=insurer).spec_code == "SME-INSURANCE"
    assert not ReturnRequest.objects.filter(institution=insurer, spec_code="SME-LOANS").exists()


def test_a_lapsed_period_closes_and_is_reopened_for_one_filer(matrix, tmp_path, settings):
    settings.PORTAL_RETURN_CLOSE_DAYS = 60
    schedule.open_periodic_requests(date(2025, 4, 2))
    schedule.close_lapsed_requests(date(2025, 6, 20))
    assert not SCHEDULED.exclude(closed_at=None).exists()  # late filings are still taken
    schedule.close_lapsed_requests(date(2025, 6, 25))
    assert not SCHEDULED.filter(closed_at=None).exists()
    request = SCHEDULED.get(institution=matrix.bank_a, spec_code="SME-LOANS")
    preparer = f.member(Role.PREPARER, institution=matrix.bank_a)
    path = workbook(tmp_path / "late.xlsx", [loan_row()])
    with translation.override("en"), pytest.raises(ValidationError, match="closed"):
        upload(preparer, request, path)

    with pytest.raises(PermissionDenied):
        schedule.request_reopen(matrix.users["p2_head"], request, date(2099, 1, 1), "no")
    with pytest.raises(ValidationError):
        schedule.request_reopen(matrix.users["p1_head"], request, date(2099, 1, 1), "  ")
    schedule.request_reopen(matrix.users["p1_head"], request, date(2099, 1, 1), "系统故障补报")
    filing = upload(preparer, request, path)
    assert filing.is_late
    other = SCHEDULED.get(institution=matrix.bank_b, spec_code="SME-LOANS")
    assert not other.is_open_on(date(2025, 7, 1))


def test_an_open_request_has_nothing_to_reopen(matrix):
    schedule.open_periodic_requests(date(2025, 4, 2))
    request = SCHEDULED.get(institution=matrix.bank_a, spec_code="SME-LOANS")
    with pytest.raises(ValidationError):
        schedule.request_reopen(matrix.users["p1_head"], request, date(2099, 1, 1), "why")
