"""Acting on a case: talks and inspections, a rectification notice answered with evidence and
accepted or rejected by the office, closing only with a recorded action, and the pages."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from portal.models import Notification, Role
from supervision.escalation import climbing, raising
from supervision.escalation import services as escalation
from supervision.escalation.models import CaseStatus, NoticeStatus, RectificationNotice
from tests import factories as f
from tests.panels import panel


@pytest.fixture(autouse=True)
def _english():
    """Service refusals in English, to match their message ids."""
    with translation.override("en"):
        yield


@pytest.fixture
def branch(matrix):
    """A branch of bank A at county A with no case yet (the matrix's branches have theirs)."""
    return f.BranchFactory(institution=matrix.bank_a, office=matrix.county_a)


@pytest.fixture
def people(matrix, branch):
    return {
        "reviewer": f.member(Role.REVIEWER, office=matrix.county_a),
        "viewer": matrix.users["county_a"],
        "preparer": f.member(Role.PREPARER, branch=branch),
        "other_bank": matrix.users["bank_b"],
    }


@pytest.fixture
def case(matrix, branch):
    return raising.escalation_raise(f.cause(matrix.bank_a, branch=branch, measure=4))


def _later(days: int = 30):
    return timezone.localdate() + timedelta(days=days)


def test_closing_needs_a_recorded_action(case, people):
    with pytest.raises(ValidationError, match="Record an action"):
        escalation.case_close(people["reviewer"], case, "resolved")
    escalation.action_record(
        people["reviewer"], case, "talk", timezone.localdate(), "约谈纪要：限期整改"
    )
    closed = escalation.case_close(people["reviewer"], case, "整改到位")
    assert closed.status == CaseStatus.CLOSED and closed.closed_at
    with pytest.raises(ValidationError, match="closed"):
        escalation.action_record(people["reviewer"], case, "inspection", timezone.localdate(), "x")


def test_a_remedy_rejected_after_the_deadline_needs_a_new_one_which_may_lapse_again(
    case, people, time_machine
):
    time_machine.move_to(timezone.now())
    notice = escalation.notice_issue(people["reviewer"], case, "补报数据", _later(5))
    escalation.notice_answer(people["preparer"], notice, "已补报")
    time_machine.shift(timedelta(days=6))
    assert climbing.lapse_overdue_notices() == 0  # answered: nothing lapses
    with pytest.raises(ValidationError, match="give a new one"):
        escalation.notice_decide(people["reviewer"], notice, accept=False, note="不完整")
    with pytest.raises(ValidationError, match="after today"):
        escalation.notice_decide(
            people["reviewer"], notice, False, "不完整", deadline=timezone.localdate()
        )
    escalation.notice_decide(people["reviewer"], notice, False, "不完整", deadline=_later(10))
    notice.refresh_from_db()
    assert (notice.status, notice.deadline) == (NoticeStatus.ISSUED, _later(10))
    told = Notification.objects.filter(recipient=people["preparer"], object_id=str(notice.pk))
    assert _later(10).isoformat() in told.order_by("pk").last().text

    time_machine.shift(timedelta(days=11))
    assert climbing.lapse_overdue_notices() == 1
    notice.refresh_from_db()
    assert notice.lapsed_at is not None


def test_a_remedy_rejected_before_the_deadline_keeps_it_unless_told(case, people):
    notice = escalation.notice_issue(people["reviewer"], case, "补报数据", _later(20))
    escalation.notice_answer(people["preparer"], notice, "已补报")
    escalation.notice_decide(people["reviewer"], notice, accept=False, note="不完整")
    notice.refresh_from_db()
    assert notice.deadline == _later(20)


def test_a_viewer_and_a_bank_cannot_act_on_a_case(case, people):
    for user in (people["viewer"], people["preparer"]):
        with pytest.raises(PermissionDenied):
            escalation.notice_issue(user, case, "整改", _later())


def test_notice_answered_with_evidence_rejected_then_accepted_then_closed(case, people):
    notice = escalation.notice_issue(people["reviewer"], case, "补报数据并说明原因", _later())
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTION_TAKEN
    told = Notification.objects.filter(recipient=people["preparer"], object_id=str(notice.pk))
    assert told.count() == 1

    with pytest.raises(PermissionDenied):
        escalation.notice_answer(people["other_bank"], notice, "not ours")
    with pytest.raises(ValidationError, match="awaiting an answer or a decision"):
        escalation.action_record(people["reviewer"], case, "talk", timezone.localdate(), "m")
        escalation.case_close(people["reviewer"], case, "done")

    first = escalation.notice_answer(
        people["preparer"],
        notice,
        "已补报",
        [SimpleUploadedFile("补报说明.pdf", b"%PDF-1.4 first")],
    )
    assert first.evidence.get().original_name == "补报说明.pdf"
    with pytest.raises(ValidationError, match="why"):
        escalation.notice_decide(people["reviewer"], notice, accept=False)
    escalation.notice_decide(people["reviewer"], notice, accept=False, note="缺少董事会决议")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ISSUED  # the institution answers again

    escalation.notice_answer(
        people["preparer"], notice, "补充决议", [SimpleUploadedFile("决议.pdf", b"%PDF-1.4 b")]
    )
    escalation.notice_decide(people["reviewer"], notice, accept=True)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ACCEPTED
    assert [r.decision for r in notice.responses.all()] == ["rejected", "accepted"]
    escalation.case_close(people["reviewer"], case, "整改完成")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_a_notice_deadline_must_be_in_the_future(case, people):
    with pytest.raises(ValidationError, match="after today"):
        escalation.notice_issue(people["reviewer"], case, "整改", timezone.localdate())
    assert not RectificationNotice.objects.filter(case=case).exists()


def test_the_desk_shows_cases_here_and_below_only_for_heads(matrix, case, client_for):
    body = client_for(matrix.users["county_a"]).get(reverse("escalation-desk")).content.decode()
    assert f"#{case.pk}<" in body
    # The province's reviewer (not head) sees only cases at the province itself.
    p1_reviewer = f.member(Role.REVIEWER, office=matrix.p1)
    body = client_for(p1_reviewer).get(reverse("escalation-desk")).content.decode()
    assert f"#{case.pk}<" not in body
    body = client_for(matrix.users["p1_head"]).get(reverse("escalation-desk")).content.decode()
    assert f"#{case.pk}<" in body


def test_the_pages_take_a_case_from_notice_to_close(matrix, case, people, client):
    client.force_login(people["reviewer"])
    url = reverse("escalation-case", args=[case.pk])
    response = client.post(url, {"action": "acknowledge"})
    assert response.status_code == 302
    client.post(
        url, {"action": "notice", "requirements": "限期整改", "deadline": _later().isoformat()}
    )
    notice = case.notices.get()

    client.force_login(people["preparer"])
    notice_url = reverse("escalation-notice", args=[notice.pk])
    assert f"#{notice.pk}<" in client.get(reverse("escalation-notices")).content.decode()
    assert "限期整改" in client.get(notice_url).content.decode()
    response = client.post(
        notice_url,
        {
            "action": "answer",
            "text": "已完成整改",
            "evidence": [
                SimpleUploadedFile("a.pdf", b"%PDF-1.4 a"),
                SimpleUploadedFile("b.png", b"\x89PNG b"),
            ],
        },
    )
    assert response.status_code == 302
    assert notice.responses.get().evidence.count() == 2
    # The bank cannot decide on its own answer, nor open the case page.
    assert client.post(notice_url, {"action": "decide", "decision": "accept"}).status_code == 403
    assert client.get(url).status_code == 404

    client.force_login(people["reviewer"])
    client.post(notice_url, {"action": "decide", "decision": "accept", "note": ""})
    response = client.post(url, {"action": "close", "note": ""}, follow=True)
    assert "Enter how the case was resolved" in response.content.decode()  # the note is required
    client.post(url, {"action": "close", "note": "整改完成，结案"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    page = client.get(url).content.decode()
    assert "Remedy accepted" in page and "Close the case" not in page


def test_a_refused_step_shows_its_reason_on_the_page(case, people, client):
    client.force_login(people["reviewer"])
    response = client.post(
        reverse("escalation-case", args=[case.pk]), {"action": "close", "note": "done"}, follow=True
    )
    assert "Record an action" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_a_notice_unanswered_past_its_deadline_is_announced_once(case, people, time_machine):
    from supervision.escalation import climbing

    notice = escalation.notice_issue(people["reviewer"], case, "补报", _later(10))
    answered = escalation.notice_issue(people["reviewer"], case, "说明", _later(10))
    escalation.notice_answer(people["preparer"], answered, "已说明")

    def told(who) -> int:
        return Notification.objects.filter(
            recipient=people[who], object_id=str(notice.pk), message__contains="was not answered"
        ).count()

    time_machine.move_to(timezone.now() + timedelta(days=10), tick=False)
    climbing.sweep()
    assert (told("reviewer"), told("preparer")) == (0, 0)  # due today: not yet lapsed
    time_machine.move_to(timezone.now() + timedelta(days=2), tick=False)
    climbing.sweep()
    climbing.sweep()
    assert (told("reviewer"), told("preparer")) == (1, 1)
    notice.refresh_from_db()
    answered.refresh_from_db()
    assert notice.lapsed_at is not None and answered.lapsed_at is None


def test_the_case_page_is_a_404_outside_and_refuses_the_wrong_role(case, people, matrix, client):
    """scoping.may_act on the page, scoping.locked_for in the service: an outsider does not
    see the case, a viewer sees it without the forms and is refused a step, a reviewer acts."""
    url = reverse("escalation-case", args=[case.pk])
    client.force_login(matrix.users["p2_head"])  # a reviewer, of the other province
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "acknowledge"}).status_code == 404
    with pytest.raises(PermissionDenied):
        escalation.case_acknowledge(matrix.users["p2_head"], case)

    client.force_login(people["viewer"])
    assert client.get(url).context["can_act"] is False
    assert client.post(url, {"action": "acknowledge"}).status_code == 403
    with pytest.raises(PermissionDenied):
        escalation.case_acknowledge(people["viewer"], case)

    client.force_login(people["reviewer"])
    assert client.get(url).context["can_act"] is True
    assert client.post(url, {"action": "acknowledge"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACKNOWLEDGED


def test_each_step_is_confirmed_and_the_case_says_what_happens_next(case, people, client):
    client.force_login(people["reviewer"])
    url = reverse("escalation-case", args=[case.pk])
    deadline = f"{timezone.localtime(case.deadline):%Y-%m-%d}"
    page = client.get(url)
    assert panel(page, "next-steps") == (
        f"What happens next The office acknowledges the case and acts by {deadline}; if nobody "
        "acts by then, the case climbs to the office above."
    )
    response = client.post(url, {"action": "acknowledge"}, follow=True)
    assert panel(response, "confirmation") == (
        "You acknowledged the case. Act on it by its deadline."
    )
    assert panel(response, "next-steps").startswith(
        f"What happens next The office acts by {deadline}"
    )
    response = client.post(
        url,
        {"action": "notice", "requirements": "限期整改", "deadline": _later().isoformat()},
        follow=True,
    )
    assert (
        panel(response, "confirmation") == "The rectification notice is issued to the institution."
    )
