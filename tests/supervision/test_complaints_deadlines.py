"""The complaint clock with frozen time: calendar or working days (weekends, holidays and the
weekend days made working days), the untimely mark, and beat's sweep to the office's desk."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.checks import run_checks
from django.utils import translation

from portal.models import Notification
from supervision import causes
from supervision.complaints import deadlines as complaint_deadlines
from supervision.complaints import services as complaints
from supervision.complaints.clock import add_days, due_date
from supervision.complaints.models import ComplaintStatus, Complexity, DeskReason, Outcome
from supervision.complaints.tasks import sweep_overdue_complaints
from tests.supervision.test_complaints_lifecycle import file_for

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def working_days(settings):
    settings.PORTAL_COMPLAINT_WORKING_DAYS = True
    # National Day 2026: 1-7 October off, Sunday 27 September and Saturday 10 October worked.
    settings.PORTAL_COMPLAINT_HOLIDAYS = [f"2026-10-0{d}" for d in range(1, 8)]
    settings.PORTAL_COMPLAINT_EXTRA_WORKDAYS = ["2026-09-27", "2026-10-10"]
    return settings


def test_calendar_days_count_weekends():
    # Friday 6 March 2026 + 15 days = Saturday 21 March: a weekend deadline stands.
    assert due_date(date(2026, 3, 6), Complexity.SIMPLE) == date(2026, 3, 21)
    assert due_date(date(2026, 3, 6), Complexity.COMPLEX) == date(2026, 4, 5)
    assert due_date(date(2026, 3, 6), Complexity.SIMPLE, extended=True) == date(2026, 4, 20)


def test_working_days_skip_weekends(working_days):
    # Friday 6 March + 15 working days: three weekends skipped, Friday 27 March.
    assert due_date(date(2026, 3, 6), Complexity.SIMPLE) == date(2026, 3, 27)
    # Filed on a Saturday: the first working day counted is Monday.
    assert add_days(date(2026, 3, 7), 1) == date(2026, 3, 9)


def test_working_days_skip_holidays_and_count_the_made_up_weekend_days(working_days):
    # Friday 25 September: Sunday 27th counts, 1-7 October do not, Saturday 10th counts.
    assert add_days(date(2026, 9, 25), 1) == date(2026, 9, 27)
    assert add_days(date(2026, 9, 25), 4) == date(2026, 9, 30)
    assert add_days(date(2026, 9, 25), 5) == date(2026, 10, 8)
    assert add_days(date(2026, 9, 25), 7) == date(2026, 10, 10)


def _filed_on(m, moment: datetime):
    with time_machine.travel(moment):
        return file_for(m)


def test_sweep_moves_the_overdue_to_the_desk_once(matrix, django_capture_on_commit_callbacks):
    c = _filed_on(matrix, datetime(2026, 3, 6, 9, tzinfo=BEIJING))  # due Saturday 21 March
    answered = _filed_on(matrix, datetime(2026, 3, 6, 9, tzinfo=BEIJING))
    complaints.answer(matrix.users["bank_a"], answered, Outcome.EXPLAINED, "已说明")
    with time_machine.travel(datetime(2026, 3, 21, 23, 59, tzinfo=BEIJING)):
        assert complaint_deadlines.sweep_overdue() == 0  # the last day is still the bank's
    found = []

    def receiver(sender, causes, **kwargs):
        found.extend(causes)

    causes.cause_found.connect(receiver)
    try:
        with (
            time_machine.travel(datetime(2026, 3, 22, 0, 5, tzinfo=BEIJING)),
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert sweep_overdue_complaints() == 1
            assert sweep_overdue_complaints() == 0
    finally:
        causes.cause_found.disconnect(receiver)
    c.refresh_from_db()
    assert (c.status, c.desk_reason) == (ComplaintStatus.AT_OFFICE, DeskReason.OVERDUE)
    assert [(x.kind, x.key, x.measure) for x in found] == [
        ("complaint-overdue", f"complaint:{c.pk}:overdue", 1)
    ]
    texts = [n.text for n in Notification.objects.filter(recipient=matrix.users["county_a"])]
    assert any(c.reference in t for t in texts)
    # The bank may still answer, late; the system marks it so.
    complaints.answer(matrix.users["bank_a"], c, Outcome.EXPLAINED, "迟到的答复")
    c.refresh_from_db()
    assert c.answered_late and c.status == ComplaintStatus.ANSWERED


def test_sweep_with_working_days_waits_over_the_weekend(matrix, working_days):
    c = _filed_on(matrix, datetime(2026, 3, 6, 9, tzinfo=BEIJING))
    assert c.due_on == date(2026, 3, 27)
    with time_machine.travel(datetime(2026, 3, 22, 9, tzinfo=BEIJING)):
        assert complaint_deadlines.sweep_overdue() == 0
    with time_machine.travel(datetime(2026, 3, 28, 9, tzinfo=BEIJING)):
        assert complaint_deadlines.sweep_overdue() == 1


def test_an_extension_pushes_the_sweep_back(matrix):
    c = _filed_on(matrix, datetime(2026, 3, 6, 9, tzinfo=BEIJING))
    with time_machine.travel(datetime(2026, 3, 20, 9, tzinfo=BEIJING)):
        complaints.extend(matrix.users["bank_a"], c, "需总行审批")
    with time_machine.travel(datetime(2026, 3, 23, 9, tzinfo=BEIJING)):
        assert complaint_deadlines.sweep_overdue() == 0
    with time_machine.travel(datetime(2026, 4, 21, 9, tzinfo=BEIJING)):
        assert complaint_deadlines.sweep_overdue() == 1


def test_the_institution_is_reminded_once_per_deadline(matrix):
    c = _filed_on(matrix, datetime(2026, 3, 6, 9, tzinfo=BEIJING))  # due 21 March

    def reminders() -> int:
        return Notification.objects.filter(
            recipient=matrix.users["branch_a1"], message__startswith="Complaint %(reference)s must"
        ).count()

    with time_machine.travel(datetime(2026, 3, 17, 9, tzinfo=BEIJING)):
        assert complaint_deadlines.remind_due_soon() == 0
    with time_machine.travel(datetime(2026, 3, 18, 9, tzinfo=BEIJING)):
        assert complaint_deadlines.remind_due_soon() == 1
        assert complaint_deadlines.remind_due_soon() == 0
    assert reminders() == 1
    with time_machine.travel(datetime(2026, 3, 19, 9, tzinfo=BEIJING)):
        complaints.extend(matrix.users["bank_a"], c, "需审批")
    with time_machine.travel(datetime(2026, 4, 17, 9, tzinfo=BEIJING)):
        assert complaint_deadlines.remind_due_soon() == 1  # due 20 April now
    assert reminders() == 2


def test_a_mistyped_holiday_is_a_system_check_error(settings):
    settings.PORTAL_COMPLAINT_HOLIDAYS = ["2026-10-01", "2026-13-01"]
    errors = [e for e in run_checks() if e.id == "supervision.E601"]
    assert [e.msg for e in errors] == [
        "PORTAL_COMPLAINT_HOLIDAYS: '2026-13-01' is not a date like 2026-10-01"
    ]
