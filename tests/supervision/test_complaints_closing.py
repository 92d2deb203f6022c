"""How a complaint ends: the owner's feedback window (frozen time, working days across the
National Day holiday), "answered, no feedback", the office desk's own deadline and its cause,
the owner's rating and the low-satisfaction cause."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from portal.models import Notification
from supervision import causes
from supervision.complaints import closing
from supervision.complaints import services as complaints
from supervision.complaints.causes import DESK_OVERDUE, LOW_SATISFACTION
from supervision.complaints.models import ComplaintStatus, EventKind, Outcome
from supervision.complaints.tasks import sweep_overdue_complaints
from supervision.escalation.models import Case
from supervision.escalation.raising import raise_all
from tests import factories as f
from tests.supervision.test_complaints_lifecycle import file_for

pytestmark = pytest.mark.django_db
S = ComplaintStatus
BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def at(*args: int) -> time_machine.travel:
    return time_machine.travel(datetime(*args, tzinfo=BEIJING))


def _texts(user) -> list[str]:
    return [n.text for n in Notification.objects.filter(recipient=user)]


def test_silence_past_the_window_closes_as_answered_no_feedback_across_the_holiday(
    matrix, settings
):
    settings.PORTAL_COMPLAINT_WORKING_DAYS = True
    settings.PORTAL_COMPLAINT_HOLIDAYS = [f"2026-10-0{d}" for d in range(1, 8)]
    settings.PORTAL_COMPLAINT_EXTRA_WORKDAYS = ["2026-09-27", "2026-10-10"]
    settings.PORTAL_COMPLAINT_FEEDBACK_DAYS = 5
    with at(2026, 9, 25, 10):
        c = file_for(matrix)
        complaints.answer(matrix.users["bank_a"], c, Outcome.EXPLAINED, "已说明")
    c.refresh_from_db()
    # Sunday 27th worked, 28th-30th, then the holiday: the fifth working day is 8 October.
    assert c.feedback_due_on == date(2026, 10, 8)
    assert any("by 2026-10-08" in t for t in _texts(matrix.users["owner_a"]))
    with at(2026, 10, 8, 23, 59):
        assert closing.close_unconfirmed() == 0
    with at(2026, 10, 9, 0, 5):
        sweep_overdue_complaints()
        assert closing.close_unconfirmed() == 0  # a second run closes nothing twice
    c.refresh_from_db()
    assert c.status == S.NO_FEEDBACK and c.closed_at is not None
    assert c.get_status_display() == "Answered, no feedback"
    assert c.events.filter(kind=EventKind.NO_FEEDBACK).count() == 1
    assert any("no feedback" in t for t in _texts(matrix.users["owner_a"]))


def test_calendar_days_by_default_and_an_answer_the_owner_confirms_stays_accepted(matrix):
    with at(2026, 3, 2, 10):
        c = file_for(matrix)
        other = file_for(matrix)
        for one in (c, other):
            complaints.answer(matrix.users["bank_a"], one, Outcome.RELIEF, "已退费")
    c.refresh_from_db()
    assert c.feedback_due_on == date(2026, 3, 17)
    complaints.accept_answer(matrix.users["owner_a"], c)
    with at(2026, 3, 18, 9):
        assert closing.close_unconfirmed() == 1
    c.refresh_from_db()
    other.refresh_from_db()
    assert (c.status, other.status) == (S.ACCEPTED, S.NO_FEEDBACK)


def test_the_owner_rates_a_closed_complaint_once(matrix):
    c = file_for(matrix)
    with pytest.raises(ValidationError, match="closed"):
        closing.rate(matrix.users["owner_a"], c, 4, True)
    complaints.answer(matrix.users["bank_a"], c, Outcome.RELIEF, "已退费")
    complaints.accept_answer(matrix.users["owner_a"], c)
    with pytest.raises(PermissionDenied):
        closing.rate(matrix.users["owner_b"], c, 5, True)
    with pytest.raises(ValidationError, match="1 to 5"):
        closing.rate(matrix.users["owner_a"], c, 6, True)
    closing.rate(matrix.users["owner_a"], c, 4, True, "  处理及时  ")
    c.refresh_from_db()
    assert (c.rating, c.solved, c.rating_comment) == (4, True, "处理及时")
    assert c.events.get(kind=EventKind.RATED).note == "4/5 · problem solved"
    with pytest.raises(ValidationError, match="already rated"):
        closing.rate(matrix.users["owner_a"], c, 1, False)


def test_the_desk_has_its_own_deadline_and_past_it_a_case_at_the_office_above(matrix, settings):
    settings.PORTAL_COMPLAINT_DESK_DAYS = 10
    with at(2026, 3, 2, 10):
        c = file_for(matrix)
        complaints.answer(matrix.users["bank_a"], c, Outcome.DECLINED, "不予退还")
        complaints.reject_answer(matrix.users["owner_a"], c, "不合理")
    c.refresh_from_db()
    assert (c.status, c.desk_due_on) == (S.AT_OFFICE, date(2026, 3, 12))
    assert causes.current(DESK_OVERDUE, datetime(2026, 3, 12, 12, tzinfo=BEIJING)) == []
    found = causes.current(DESK_OVERDUE, datetime(2026, 3, 15, 12, tzinfo=BEIJING))
    assert [(x.measure, x.office_id) for x in found] == [(Decimal(3), matrix.city1.pk)]
    with at(2026, 3, 15, 12):
        assert raise_all(found) == 1
    case = Case.objects.get()
    assert (case.kind, case.office) == (DESK_OVERDUE, matrix.city1)
    # An answer from the desk takes the complaint off the office's clock.
    complaints.answer(matrix.users["bank_a"], c, Outcome.PARTIAL, "退还一半")
    assert causes.current(DESK_OVERDUE, datetime(2026, 3, 16, tzinfo=BEIJING)) == []


def _rated(matrix, ratings: list[int], when: datetime) -> None:
    for rating in ratings:
        f.ComplaintFactory(
            branch=matrix.branch_a1,
            status=S.ACCEPTED,
            rating=rating,
            solved=rating > 2,
            rated_at=when,
        )


def test_low_satisfaction_over_a_quarter_is_a_cause_once_enough_owners_rated(matrix):
    when = datetime(2026, 5, 10, 10, tzinfo=BEIJING)
    _rated(matrix, [1, 2, 5, 4], when)
    assert causes.current(LOW_SATISFACTION, when + timedelta(days=1)) == []
    _rated(matrix, [3], when)
    found = causes.current(LOW_SATISFACTION, when + timedelta(days=1))
    assert [(x.institution_id, x.measure) for x in found] == [(matrix.bank_a.pk, Decimal("40.0"))]
    assert "2026Q2" in found[0].key
    # The next quarter starts afresh.
    assert causes.current(LOW_SATISFACTION, datetime(2026, 7, 2, tzinfo=BEIJING)) == []
    with at(2026, 5, 11, 10):
        assert raise_all(found) == 1  # 40% at or above the default threshold of 30%


def test_satisfaction_figures_equal_an_independent_sum(matrix):
    from supervision.complaints.statistics import by_institution_under, for_office

    ratings = {matrix.branch_a1: [5, 4, 1, 3], matrix.branch_a2: [2, 5], matrix.branch_b1: [4]}
    march = datetime(2026, 3, 2, 10, tzinfo=BEIJING)
    for branch, values in ratings.items():
        for n, rating in enumerate(values):
            with at(2026, 3, 2 + n, 10):
                f.ComplaintFactory(
                    branch=branch,
                    status=S.ACCEPTED,
                    rating=rating,
                    solved=rating >= 3,
                    rated_at=march,
                    first_answered_at=march,
                    reopen_count=n % 2,
                )
    with at(2026, 3, 3, 10):
        f.ComplaintFactory(branch=matrix.branch_a1)  # not rated, not answered
    rows = {r.key: r for r in by_institution_under(matrix.gb, date(2026, 1, 1), date(2026, 4, 1))}
    bank_a = [5, 4, 1, 3, 2, 5]
    row = rows[matrix.bank_a.pk]
    assert (row.rated, row.mean_rating) == (6, (Decimal(sum(bank_a)) / 6).quantize(Decimal("0.01")))
    assert row.satisfied_share == (Decimal(3) / 6).quantize(Decimal("0.001"))
    assert row.solved_share == (Decimal(4) / 6).quantize(Decimal("0.001"))
    assert row.reopen_share == (Decimal(3) / 6).quantize(Decimal("0.001"))  # n = 1, 3 and 1
    whole = for_office(matrix.gb, date(2026, 1, 1), date(2026, 4, 1))
    everything = [r for values in ratings.values() for r in values]
    assert (whole.rated, whole.rating_sum) == (len(everything), sum(everything))


def test_the_owner_rates_on_the_complaint_page(matrix, client_for):
    c = file_for(matrix)
    complaints.answer(matrix.users["bank_a"], c, Outcome.RELIEF, "已退费")
    complaints.accept_answer(matrix.users["owner_a"], c)
    owner = client_for(matrix.users["owner_a"])
    assert "Rate the handling" in owner.get(f"/complaints/{c.pk}/").content.decode()
    owner.post(f"/complaints/{c.pk}/rate/", {"rating": "5", "solved": "1", "text": "满意"})
    page = owner.get(f"/complaints/{c.pk}/").content.decode()
    assert "5/5 · problem solved · 满意" in page and "Rate the handling" not in page


def test_the_dashboard_shows_the_quarters_satisfaction(matrix, client_for):
    from django.urls import reverse

    # The matrix's returns are for 2025Q3, the quarter its dashboard opens on.
    august = datetime(2025, 8, 10, 10, tzinfo=BEIJING)
    for rating in (5, 2):
        with at(2025, 8, 10, 10):
            f.ComplaintFactory(
                branch=matrix.branch_a1,
                status=S.ACCEPTED,
                rating=rating,
                solved=rating > 2,
                rated_at=august,
                first_answered_at=august,
            )
    page = client_for(matrix.users["p1_head"]).get(
        reverse("dashboard", kwargs={"code": matrix.p1.code}), {"period": "2025Q3"}
    )
    assert 'data-testid="complaints-satisfaction">3.50<' in page.content.decode()
