"""Completeness and timeliness per office and return, the status board, and reminding the
filers who still owe a return."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent, Notification, Role
from reporting.models import FilingStatus, ReturnRequest
from supervision.dashboards import completeness
from tests import factories as f
from tests.reporting.returns import loan_row

pytestmark = pytest.mark.django_db

QUARTER = "2025Q2"


@pytest.fixture
def filings(matrix, time_machine):
    """Returns of 2025Q2, due 25 July, seen on 10 August: bank_a filed nothing; branch_a1's
    upload was invalid; branch_a2's was accepted, late; bank_b's was accepted and a newer
    version came in since."""
    time_machine.move_to("2025-08-10 10:00 +0800")
    m = matrix

    def request(institution, branch=None):
        return f.ReturnRequestFactory(
            institution=institution, branch=branch, period=QUARTER, due_date=date(2025, 7, 25)
        )

    m.q2_a = request(m.bank_a)
    m.q2_a1 = request(m.bank_a, m.branch_a1)
    f.FilingFactory(request=m.q2_a1, status=FilingStatus.REJECTED)
    m.q2_a2 = request(m.bank_a, m.branch_a2)
    f.FilingFactory(request=m.q2_a2, status=FilingStatus.ACCEPTED, is_current=True, is_late=True)
    request(m.bank_b)
    f.accepted_loans(m.bank_b, [loan_row(m.county_c.code)], period=QUARTER)
    f.FilingFactory(request=ReturnRequest.objects.get(institution=m.bank_b, period=QUARTER))
    return m


def counts(line) -> tuple:
    return (line.expected, line.received, line.accepted, line.late, line.missing)


def test_counts_per_office_and_return(filings):
    m = filings
    found = completeness.completeness(m.users["p1_head"], m.p1, QUARTER)
    by_office = {(line.office.code, line.directly): line for line in found.lines}
    # bank_a's head office is supervised by the province itself; its branches by city1.
    assert counts(by_office[(m.p1.code, True)]) == (1, 0, 0, 1, 1)
    assert counts(by_office[(m.city1.code, False)]) == (2, 2, 1, 2, 1)
    assert [counts(t) for t in found.totals] == [(3, 2, 1, 3, 2)]
    assert {r.pk for r in found.missing} == {m.q2_a.pk, m.q2_a1.pk}

    national = completeness.completeness(m.users["gb_head"], m.gb, QUARTER)
    by_office = {line.office.code: line for line in national.lines}
    assert counts(by_office[m.p2.code]) == (1, 1, 1, 0, 0)
    assert national.missing_count == 2


def test_the_board_says_the_state_of_each_return(filings, client_for):
    m = filings
    # The board shows the quarter asked for and the three before it.
    page = client_for(m.users["gb_head"]).get(
        reverse("status-board", kwargs={"code": m.gb.code}), {"period": "2025Q3"}
    )
    rows = {row.key: row for row in page.context["rows"]}
    column = ("SME-LOANS", QUARTER)
    assert rows[(m.bank_a.pk, None)].cells[column].state == completeness.CellState.NOT_FILED
    assert rows[(m.bank_a.pk, m.branch_a1.pk)].cells[column].state == completeness.CellState.INVALID
    assert (
        rows[(m.bank_a.pk, m.branch_a2.pk)].cells[column].state == completeness.CellState.ACCEPTED
    )
    assert rows[(m.bank_b.pk, None)].cells[column].state == completeness.CellState.NEWER
    # The matrix's branch return of 2025Q3 awaits review.
    assert rows[(m.bank_b.pk, m.branch_b1.pk)].cells[("SME-LOANS", "2025Q3")].state == "submitted"
    assert "accepted; newer version since" in page.content.decode()

    missing = client_for(m.users["p1_head"]).get(
        reverse("status-board", kwargs={"code": m.p1.code}),
        {"period": QUARTER, "state": "missing"},
    )
    assert {row.key for row in missing.context["rows"]} == {
        (m.bank_a.pk, None),
        (m.bank_a.pk, m.branch_a1.pk),
    }


def test_a_head_reminds_every_filer_still_owing(
    filings, client_for, django_capture_on_commit_callbacks
):
    m = filings
    url = reverse("status-board", kwargs={"code": m.p1.code})
    client = client_for(m.users["p1_head"])
    with django_capture_on_commit_callbacks():
        response = client.post(
            f"{url}?period={QUARTER}&state=missing", {"everything": "1"}, follow=True
        )
    assert "Reminded the filers of 2 returns." in response.content.decode()
    notes = Notification.objects.filter(object_type="reporting.ReturnRequest")
    # bank_a's officer hears of both; branch_a1's officer of its own.
    assert sorted(notes.values_list("recipient__email", "object_id")) == sorted(
        [
            (m.users["bank_a"].email, str(m.q2_a.pk)),
            (m.users["bank_a"].email, str(m.q2_a1.pk)),
            (m.users["branch_a1"].email, str(m.q2_a1.pk)),
        ]
    )
    assert "2025Q2" in notes.first().text
    assert AuditEvent.objects.filter(verb="request.reminded").count() == 2


def test_a_filer_reminded_lately_is_not_reminded_again(filings, client_for, time_machine):
    m = filings
    url = f"{reverse('status-board', kwargs={'code': m.p1.code})}?period={QUARTER}"
    picked = {"request": [m.q2_a.pk]}
    client = client_for(m.users["p1_head"])
    client.post(url, picked)
    page = client.post(url, picked, follow=True).content.decode()
    assert "Reminded the filers of 0 returns." in page
    assert "reminded less than a day ago and was not reminded again" in page
    assert AuditEvent.objects.filter(verb="request.reminded").count() == 1

    time_machine.shift(completeness.REMINDER_GAP + timedelta(minutes=1))
    client_for(m.users["p1_head"]).post(url, picked)  # signed in again: the day's session ended
    assert AuditEvent.objects.filter(verb="request.reminded").count() == 2


def test_a_head_reopens_the_closed_periods_of_returns_still_owed(filings, client_for):
    m = filings
    ReturnRequest.objects.filter(period=QUARTER).update(closed_at=timezone.now())
    url = f"{reverse('status-board', kwargs={'code': m.p1.code})}?period={QUARTER}"
    client = client_for(m.users["p1_head"])
    until = timezone.localdate() + timedelta(days=7)
    picked = {"action": "reopen", "request": [m.q2_a.pk, m.q2_a2.pk], "reason": "系统故障补报"}

    refused = client.post(url, {**picked, "until": "2025-08-01"}, follow=True)
    assert "Reopen until a day after today." in refused.content.decode()
    page = client.post(url, {**picked, "until": until.isoformat()}, follow=True)
    assert f"Reopened 1 closed return until {until.isoformat()}." in page.content.decode()
    m.q2_a.refresh_from_db()
    m.q2_a2.refresh_from_db()
    assert (m.q2_a.reopened_until, m.q2_a2.reopened_until) == (until, None)  # accepted: left
    told = Notification.objects.filter(recipient=m.users["bank_a"], object_id=str(m.q2_a.pk))
    assert "系统故障补报" in told.get().text
    assert AuditEvent.objects.filter(verb="request.reopened").count() == 1

    viewer = client_for(m.users["county_a"])
    board = reverse("status-board", kwargs={"code": m.county_a.code})
    assert viewer.post(board, {**picked, "until": until.isoformat()}).status_code == 404


def test_a_return_already_accepted_is_not_reminded(filings, client_for):
    m = filings
    url = reverse("status-board", kwargs={"code": m.city1.code})
    response = client_for(m.users["p1_head"]).post(
        f"{url}?period={QUARTER}", {"request": [m.q2_a2.pk]}, follow=True
    )
    assert "Reminded the filers of 0 returns." in response.content.decode()
    assert not Notification.objects.filter(object_type="reporting.ReturnRequest").exists()


def test_a_viewer_or_an_outsider_cannot_remind(filings, client_for):
    m = filings
    board = reverse("status-board", kwargs={"code": m.county_a.code})
    viewer = client_for(m.users["county_a"])
    page = viewer.get(board, {"period": QUARTER})
    assert page.status_code == 200 and not page.context["can_remind"]
    assert viewer.post(board, {"everything": "1"}).status_code == 404
    outsider = client_for(m.users["p2_head"])
    assert outsider.post(board, {"everything": "1"}).status_code == 404
    assert not Notification.objects.filter(object_type="reporting.ReturnRequest").exists()


def test_reminding_needs_a_reviewer_of_the_subtree(filings):
    m = filings
    viewer = f.member(Role.VIEWER, office=m.p1)
    with pytest.raises(PermissionDenied):
        completeness.remind_filers(viewer, ReturnRequest.objects.filter(pk=m.q2_a.pk))


def test_the_completeness_page_lists_who_is_missing(filings, client_for):
    m = filings
    page = client_for(m.users["county_a"]).get(
        reverse("completeness", kwargs={"code": m.county_a.code}), {"period": QUARTER}
    )
    body = page.content.decode()
    missing = body.split('data-testid="missing-list"')[1]
    assert m.branch_a1.name_en in missing
    assert m.bank_a.name_en not in missing  # bank_a's own return is the province's
