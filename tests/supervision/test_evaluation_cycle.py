"""The yearly cycle: the bank's self-assessment with evidence, the office's review, the head's
confirmation, notification and archive; everything audited, confirmed results frozen unless
reopened with a reason, and low grades raised as causes for escalation."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from portal.models import AuditEvent, Notification, Role
from supervision import causes
from supervision.evaluation import cycle
from supervision.evaluation.models import Arrangement, Evaluation, EvaluationStatus, Evidence
from supervision.evaluation.selectors import current_result
from supervision.evaluation.services import score_institutions
from tests import factories as f
from tests.panels import panel
from tests.supervision.test_evaluation_results import COUNTY_ROWS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Services answer in the active language: these tests read the English messages."""
    with translation.override("en"):
        yield


QUALITATIVE = ("Q1", "Q2", "Q3", "Q4", "Q5", "B1")


@pytest.fixture
def people():
    gb = f.office("000000", "总局")
    p1 = f.office("350000", "甲省局", gb)
    bank = f.InstitutionFactory(office=p1, name_zh="评价银行", name_en="Evaluated Bank")
    # The Q4 before, so that every computed indicator has its inputs.
    f.accepted_return(bank, "2024Q4", rows=COUNTY_ROWS)
    evaluation = f.scored_evaluation(bank, rows=COUNTY_ROWS)
    return {
        "evaluation": evaluation,
        "preparer": f.member(Role.PREPARER, institution=bank),
        "approver": f.member(Role.APPROVER, institution=bank),
        "viewer": f.member(Role.VIEWER, office=p1),
        "reviewer": f.member(Role.REVIEWER, office=p1),
        "head": f.member(Role.HEAD, office=p1),
    }


def _self_assess_all(people, points="4"):
    for code in QUALITATIVE:
        cycle.self_assess(people["preparer"], people["evaluation"], code, points, "见附件")


def _review_all(people, points="5"):
    for code in QUALITATIVE:
        cycle.review_item(people["reviewer"], people["evaluation"], code, points, "核实")


def _fresh(people) -> Evaluation:
    return Evaluation.objects.get(pk=people["evaluation"].pk)


def test_the_whole_cycle_through_the_pages(people, client_for, django_capture_on_commit_callbacks):
    evaluation = people["evaluation"]
    url = reverse("evaluation-detail", args=[evaluation.pk])
    act = reverse("evaluation-act", args=[evaluation.pk])

    def as_(who):  # one test client, signed in as each person in turn
        return client_for(people[who])

    page = as_("preparer").get(url).content.decode()
    assert "Attach the exemption rules" in page and "meets the target" not in page
    form = {"verb": "self_assess"} | {f"points_{c}": "4" for c in QUALITATIVE}
    as_("preparer").post(act, form | {"note_Q4": "免责案例 12 件"})
    as_("preparer").post(
        act,
        {"verb": "evidence", "code": "Q4", "file": SimpleUploadedFile("免责制度.pdf", b"%PDF")},
    )
    assert Evidence.objects.get().original_name == "免责制度.pdf"
    as_("approver").post(act, {"verb": "submit"})
    assert _fresh(people).status == EvaluationStatus.REVIEW
    assert Notification.objects.filter(recipient=people["reviewer"]).exists()

    page = as_("reviewer").get(url).content.decode()
    assert "免责案例 12 件" in page and "免责制度.pdf" in page
    as_("reviewer").post(act, {"verb": "review"} | {f"points_{c}": "5" for c in QUALITATIVE})
    as_("reviewer").post(
        act, {"verb": "adjust", "code": "KP1", "points": "4", "reason": "续贷口径核实"}
    )
    result = current_result(_fresh(people))
    assert result.line("KP1").points == D(4) and result.line("Q1").points == D(5)
    assert result.complete

    with django_capture_on_commit_callbacks(execute=True):
        as_("head").post(act, {"verb": "confirm"})
    assert _fresh(people).status == EvaluationStatus.CONFIRMED
    as_("reviewer").post(act, {"verb": "notify"})
    assert Notification.objects.filter(recipient=people["preparer"]).exists()
    page = as_("preparer").get(url).content.decode()
    assert "Adjusted by the reviewer from 5 to 4.00 points: 续贷口径核实" in page
    as_("reviewer").post(act, {"verb": "archive"})
    assert _fresh(people).status == EvaluationStatus.ARCHIVED
    verbs = list(
        AuditEvent.objects.filter(object_type=Evaluation._meta.label, object_id=str(evaluation.pk))
        .order_by("at", "pk")
        .values_list("verb", flat=True)
    )
    assert verbs[-5:] == [
        "evaluation.item_reviewed",
        "evaluation.adjusted",
        "evaluation.confirmed",
        "evaluation.notified",
        "evaluation.archived",
    ]
    assert "evaluation.self_assessment_submitted" in verbs
    assert "evaluation.evidence_attached" in verbs


def test_the_bank_submits_only_a_complete_self_assessment(people):
    cycle.self_assess(people["preparer"], people["evaluation"], "Q1", "3")
    with pytest.raises(ValidationError, match="Score every item before submitting: B1, Q2"):
        cycle.submit_self_assessment(people["approver"], people["evaluation"])
    with pytest.raises(PermissionDenied):  # a preparer prepares; the approver submits
        cycle.submit_self_assessment(people["preparer"], people["evaluation"])


def test_points_outside_the_item_are_refused_and_nothing_is_half_written(people, client_for):
    with pytest.raises(ValidationError, match="between 0 and 5"):
        cycle.self_assess(people["preparer"], people["evaluation"], "Q1", "6")
    with pytest.raises(ValidationError, match="not an item"):
        cycle.self_assess(people["preparer"], people["evaluation"], "CS1", "3")
    client = client_for(people["preparer"])
    act = reverse("evaluation-act", args=[people["evaluation"].pk])
    response = client.post(
        act, {"verb": "self_assess", "points_Q1": "4", "points_Q2": "lots"}, follow=True
    )
    assert "Points must be a number." in response.content.decode()
    assert not people["evaluation"].qualitative.filter(self_points__isnull=False).exists()


def test_only_the_office_reviews_and_only_the_head_confirms(people):
    cycle.start_review(people["reviewer"], people["evaluation"])
    with pytest.raises(PermissionDenied):
        cycle.review_item(people["preparer"], people["evaluation"], "Q1", "5")
    with pytest.raises(PermissionDenied):
        cycle.adjust(people["viewer"], people["evaluation"], "KP1", "4", "x")
    with pytest.raises(ValidationError, match="Say why"):
        cycle.adjust(people["reviewer"], people["evaluation"], "KP1", "4", "  ")
    _review_all(people)
    with pytest.raises(PermissionDenied):
        cycle.confirm(people["reviewer"], people["evaluation"])


def test_an_incomplete_result_cannot_be_confirmed(people):
    cycle.start_review(people["reviewer"], people["evaluation"])
    cycle.review_item(people["reviewer"], people["evaluation"], "Q1", "5")
    with pytest.raises(ValidationError, match="Not every indicator is scored \\(Q2, Q3"):
        cycle.confirm(people["head"], people["evaluation"])


def test_a_confirmed_result_is_frozen_until_reopened_with_a_reason(people):
    cycle.start_review(people["reviewer"], people["evaluation"])
    _review_all(people)
    cycle.confirm(people["head"], people["evaluation"])
    confirmed_total = _fresh(people).total
    with pytest.raises(ValidationError, match="while the evaluation is confirmed"):
        cycle.adjust(people["reviewer"], people["evaluation"], "KP1", "5", "x")
    # A corrected return arrives: the confirmed result stays as confirmed.
    corrected = [r | {"credit_balance": 0} for r in COUNTY_ROWS]
    f.accepted_loans(people["evaluation"].institution, corrected, "2025Q4")
    assert score_institutions("2025").frozen == 1
    assert _fresh(people).total == confirmed_total
    with pytest.raises(ValidationError, match="Say why the result is reopened"):
        cycle.reopen(people["head"], people["evaluation"], "")
    with pytest.raises(PermissionDenied):
        cycle.reopen(people["reviewer"], people["evaluation"], "数据更正")
    cycle.reopen(people["head"], people["evaluation"], "数据更正")
    reopened = _fresh(people)
    assert reopened.status == EvaluationStatus.REVIEW
    assert reopened.reopen_reason == "数据更正"
    assert reopened.total == confirmed_total - 8  # scored again: no credit loans, no PI1


def _lower_to_grade_three(people):
    # Every qualitative item at 0 and no bonus: 71, grade 3A.
    cycle.start_review(people["reviewer"], people["evaluation"])
    _review_all(people, points="0")
    cycle.adjust(people["reviewer"], people["evaluation"], "B2", "0", "重点领域口径不符")


def test_a_low_confirmed_grade_is_raised_for_escalation(people, django_capture_on_commit_callbacks):
    _lower_to_grade_three(people)
    received = []

    def listen(sender, causes, **kwargs):
        received.extend(causes)

    causes.cause_found.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            cycle.confirm(people["head"], people["evaluation"])
    finally:
        causes.cause_found.disconnect(listen)
    evaluation = _fresh(people)
    # KP1 and PI2 are on target: shares as at the previous year-end.
    assert (evaluation.total, evaluation.grade_label) == (D("71.00"), "3A")
    [cause] = received
    assert cause.kind == "low-grade"
    assert cause.key == f"evaluation-result:{evaluation.pk}"
    assert cause.measure == D(evaluation.grade)
    assert cause.institution_id == evaluation.institution_id
    assert cause.evidence_url == reverse("evaluation-detail", args=[evaluation.pk])
    listed = causes.current("low-grade", timezone.now())
    assert [c.key for c in listed] == [cause.key]
    assert causes.current("low-grade", timezone.now() - timedelta(days=1)) == []


def test_a_good_grade_raises_nothing(people, django_capture_on_commit_callbacks):
    cycle.start_review(people["reviewer"], people["evaluation"])
    _review_all(people)
    received = []
    causes.cause_found.connect(lambda sender, causes, **kw: received.extend(causes), weak=False)
    with django_capture_on_commit_callbacks(execute=True):
        cycle.confirm(people["head"], people["evaluation"])
    assert _fresh(people).grade <= 2
    assert received == []
    assert causes.current("low-grade", timezone.now()) == []


def test_the_office_sets_a_differentiated_arrangement_but_no_longer_types_the_plan(
    people, client_for
):
    evaluation = people["evaluation"]
    assert not any(line.differentiated for line in current_result(evaluation).lines)
    client = client_for(people["reviewer"])
    page = client.get(reverse("evaluation-detail", args=[evaluation.pk])).content.decode()
    assert 'data-testid="arrangement"' in page and 'name="credit_plan"' not in page
    client.post(
        reverse("evaluation-act", args=[evaluation.pk]),
        {
            "verb": "arrangement",
            "credit_plan": "1,500.50",  # the bank files its plan: a typed one is not read
            "growth_target": "8",
            "differentiated": "on",
            "reason": "高风险机构处置中",
        },
    )
    arrangement = Arrangement.objects.get(institution=evaluation.institution, year=2025)
    assert (arrangement.typed_credit_plan, arrangement.growth_target) == (None, D(8))
    assert arrangement.differentiated
    evaluation.refresh_from_db()
    assert any(line.differentiated for line in current_result(evaluation).lines)
    event = AuditEvent.objects.get(verb="evaluation.arrangement_set")
    assert event.actor == people["reviewer"]
    assert event.changes["growth_target"] == [None, "8"] and "credit_plan" not in event.changes
    page = client.get(reverse("evaluation-detail", args=[evaluation.pk])).content.decode()
    assert 'value="8.00"' in page and "高风险机构处置中" in page
    assert 'data-testid="typed-plan"' not in page


def test_a_plan_typed_before_banks_filed_is_shown_read_only(people, client_for):
    evaluation = people["evaluation"]
    Arrangement.objects.create(
        institution=evaluation.institution, year=2025, typed_credit_plan=D("1500.50")
    )
    url = reverse("evaluation-detail", args=[evaluation.pk])
    page = client_for(people["reviewer"]).get(url).content.decode()
    assert "A plan typed by the office before banks filed theirs: 1500.50" in page
    cycle.set_arrangement(people["reviewer"], evaluation, False, "", "6")
    assert Arrangement.objects.get().typed_credit_plan == D("1500.50")  # kept, not erased


@pytest.mark.parametrize(
    ("target", "differentiated", "reason", "message"),
    [
        ("abc", False, "", "growth target"),
        ("", True, " ", "Say why"),
    ],
)
def test_a_bad_arrangement_is_refused_and_nothing_is_stored(
    people, target, differentiated, reason, message
):
    with pytest.raises(ValidationError, match=message):
        cycle.set_arrangement(
            people["reviewer"], people["evaluation"], differentiated, reason, target
        )
    assert not Arrangement.objects.exists()


def test_only_the_office_may_arrange_and_never_on_a_confirmed_result(people):
    evaluation = people["evaluation"]
    for outsider in ("viewer", "preparer", "approver"):
        with pytest.raises(PermissionDenied):
            cycle.set_arrangement(people[outsider], evaluation, False, "", "5")
    Evaluation.objects.filter(pk=evaluation.pk).update(status=EvaluationStatus.CONFIRMED)
    with pytest.raises(ValidationError, match="reopen it"):
        cycle.set_arrangement(people["reviewer"], evaluation, False, "", "5")
    assert not Arrangement.objects.exists()


def test_the_bank_reads_what_happens_next_and_its_submission_is_confirmed(people, client_for):
    evaluation = people["evaluation"]
    url = reverse("evaluation-detail", args=[evaluation.pk])
    page = client_for(people["preparer"]).get(url)
    assert panel(page, "next-steps") == (
        "What happens next The bank scores itself on each item, attaches its evidence and "
        "submits the self-assessment to its supervising office."
    )
    _self_assess_all(people)
    response = client_for(people["approver"]).post(
        reverse("evaluation-act", args=[evaluation.pk]), {"verb": "submit"}, follow=True
    )
    assert panel(response, "confirmation") == (
        "The self-assessment is submitted to your supervising office."
    )
    assert panel(response, "next-steps").startswith("What happens next The supervising office")
