"""What a grade 4 asks beyond grade 3: the supervisory talk with the principal officer, which the
office records on the escalation case the grade raised and which the bank then reads on its
scorecard; and the rectification plan the bank files from its gap list, item by item with a
deadline and evidence, followed by the office until the last item is closed."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent, Notification
from supervision.escalation import services as escalation
from supervision.escalation.models import Case
from supervision.evaluation import cycle, rectification
from supervision.evaluation.rectification_models import ItemStatus, PlanStatus, RectificationPlan
from tests import factories as f
from tests.supervision.test_evaluation_cycle import (  # noqa: F401
    _english,
    _fresh,
    _lower_to_grade_three,
    people,
)

pytestmark = pytest.mark.django_db


def _grade_four(people, capture):  # noqa: F811
    """71 less CS2's and CS4's 16 points: 55, grade 4; confirmed (raising its case) and
    notified."""
    _lower_to_grade_three(people)
    for code in ("CS2", "CS4"):
        cycle.adjust(people["reviewer"], people["evaluation"], code, "0", "核减")
    with capture(execute=True):
        cycle.confirm(people["head"], people["evaluation"])
    cycle.notify_bank(people["reviewer"], people["evaluation"])
    evaluation = _fresh(people)
    assert evaluation.grade == 4
    return evaluation


def test_the_talk_is_required_on_the_case_and_told_to_the_bank(
    people,  # noqa: F811
    client_for,
    django_capture_on_commit_callbacks,
):
    evaluation = _grade_four(people, django_capture_on_commit_callbacks)
    case = Case.objects.get(institution=evaluation.institution)
    assert case.causes.get().requires_talk
    reviewer, today = people["reviewer"], timezone.localdate()
    page = client_for(reviewer).get(escalation.case_url(case)).content.decode()
    assert 'data-testid="requires-talk"' in page
    escalation.action_record(reviewer, case, "inspection", today, "现场检查")
    with pytest.raises(ValidationError, match="principal officer"):
        escalation.case_close(reviewer, case, "已整改")
    with pytest.raises(ValidationError, match="Name the institution's principal officer"):
        escalation.action_record(reviewer, case, "talk", today, "约谈")
    with django_capture_on_commit_callbacks(execute=True):
        escalation.action_record(reviewer, case, "talk", today, "约谈", principal_officer="王行长")
    bank = client_for(people["preparer"])
    scorecard = bank.get(reverse("evaluation-detail", args=[evaluation.pk])).content.decode()
    assert f"Supervisory talk held on {today:%Y-%m-%d} with the principal officer, 王行长" in (
        scorecard
    )
    assert Notification.objects.filter(
        recipient=people["preparer"], url=reverse("evaluation-detail", args=[evaluation.pk])
    ).exists()
    assert AuditEvent.objects.filter(verb="evaluation.talk_recorded").count() == 1
    escalation.case_close(reviewer, case, "约谈已完成")
    assert Case.objects.get(pk=case.pk).is_closed


def test_the_bank_files_its_plan_from_the_gap_list_and_the_office_closes_it(
    people,  # noqa: F811
    client_for,
    django_capture_on_commit_callbacks,
):
    evaluation = _grade_four(people, django_capture_on_commit_callbacks)
    plan_url = reverse("evaluation-plan", args=[evaluation.pk])
    act = reverse("evaluation-plan-act", args=[evaluation.pk])

    def as_(who):  # one test client, signed in as each person in turn
        return client_for(people[who])

    assert (
        'data-testid="plan-link"'
        in as_("preparer").get(reverse("evaluation-detail", args=[evaluation.pk])).content.decode()
    )
    gaps = rectification.plan_gaps(evaluation)
    assert [g.code for g in gaps][:2] == ["CS2", "CS4"]
    page = as_("preparer").get(plan_url).content.decode()
    assert gaps[0].text in page and 'id="file-plan"' in page
    last = rectification.latest_deadline(evaluation)
    assert last == timezone.localdate() + timedelta(days=60)  # the scheme's days for grade 4
    form = {"verb": "file"}
    for gap in gaps:
        form |= {f"action_{gap.code}": f"{gap.code} 整改措施", f"deadline_{gap.code}": str(last)}
    # Too late for the scheme's days: refused, nothing filed.
    late = form | {"deadline_CS2": str(last + timedelta(days=1))}
    assert "no later than" in as_("preparer").post(act, late, follow=True).content.decode()
    assert not RectificationPlan.objects.exists()
    # Every gap needs its answer.
    blank = form | {"action_CS4": " "}
    assert (
        "Say what you will do about CS4"
        in as_("preparer").post(act, blank, follow=True).content.decode()
    )
    as_("preparer").post(act, form)
    plan = RectificationPlan.objects.get(evaluation=evaluation)
    assert [i.code for i in plan.items.all()] == [g.code for g in gaps]
    assert Notification.objects.filter(recipient=people["reviewer"], url=plan_url).exists()
    with pytest.raises(ValidationError, match="filed already"):
        rectification.plan_file(people["preparer"], evaluation, [])

    first, *rest = plan.items.all()
    unknown = {"verb": "decide", "item": "x", "decision": "close"}
    assert (
        "Choose an item of the plan"
        in as_("reviewer").post(act, unknown, follow=True).content.decode()
    )
    without = {"verb": "report", "item": first.pk, "report": "已落实"}
    assert "Attach the evidence" in as_("preparer").post(act, without, follow=True).content.decode()
    evidence = SimpleUploadedFile("方案.pdf", f.pdf_bytes("plan"))
    as_("preparer").post(act, without | {"evidence": evidence})
    assert plan.items.get(pk=first.pk).status == ItemStatus.REPORTED
    as_("reviewer").post(
        act, {"verb": "decide", "item": first.pk, "decision": "back", "note": "证据不足"}
    )
    sent_back = plan.items.get(pk=first.pk)
    assert (sent_back.status, sent_back.office_note) == (ItemStatus.OPEN, "证据不足")
    as_("preparer").post(
        act, without | {"evidence": SimpleUploadedFile("补充.pdf", f.pdf_bytes("more"))}
    )
    for item in [first, *rest]:
        if item is not first:
            rectification.item_report(
                people["preparer"], item, "已落实", [SimpleUploadedFile("a.pdf", f.pdf_bytes())]
            )
        as_("reviewer").post(act, {"verb": "decide", "item": item.pk, "decision": "close"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED and plan.closed_at is not None
    assert "Closed by the office" in as_("preparer").get(plan_url).content.decode()
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {
        "evaluation.plan_filed",
        "evaluation.plan_item_reported",
        "evaluation.plan_item_sent_back",
        "evaluation.plan_item_closed",
        "evaluation.plan_closed",
    } <= verbs
    api = as_("preparer").get(f"/api/v1/rectification-plans/{plan.pk}/").json()
    assert api["status"] == "closed" and api["items"][0]["evidence"] == ["方案.pdf", "补充.pdf"]


def test_a_grade_three_asks_for_no_plan(people, client_for):  # noqa: F811
    _lower_to_grade_three(people)
    cycle.confirm(people["head"], people["evaluation"])
    cycle.notify_bank(people["reviewer"], people["evaluation"])
    url = reverse("evaluation-plan", args=[people["evaluation"].pk])
    assert client_for(people["preparer"]).get(url).status_code == 404
    with pytest.raises(ValidationError, match="no rectification plan"):
        rectification.plan_file(people["preparer"], _fresh(people), [])
