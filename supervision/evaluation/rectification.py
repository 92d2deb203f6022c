"""What a grade 4 asks beyond grade 3, one service per verb: the supervisory talk with the
principal officer, told by escalation where the office records it on the case
(``causes.talk_recorded``); and the time-limited rectification plan the bank files against its
scorecard, one item for each gap of its gap list with what it will do, by when and, once done,
the evidence, which the office follows item by item until the last is closed."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from portal import audit, scoping
from portal.models import Role
from portal.notifications import institution_staff, notify, office_staff
from portal.stored_files import atomic_with_files, check_evidence, save_file, sha256_of
from portal.worklist import Waiting
from supervision.evaluation import scheme as schemes
from supervision.evaluation.consequences import Gap, gaps, measures
from supervision.evaluation.models import Evaluation, EvaluationStatus
from supervision.evaluation.rectification_models import (
    ItemStatus,
    PlanEvidence,
    PlanItem,
    PlanStatus,
    RectificationPlan,
    SupervisoryTalk,
)
from supervision.evaluation.scoring import result_from_dict

KEY_PREFIX = "evaluation-result:"  # the low grade's cause key (``cycle.low_grade_cause``)


@dataclass(frozen=True)
class PlannedItem:
    """What the bank writes against one gap: what it will do, and by when."""

    code: str
    action: str
    deadline: date


def plan_url(evaluation: Evaluation) -> str:
    return reverse("evaluation-plan", args=[evaluation.pk])


def calls_for_plan(evaluation: Evaluation) -> bool:
    """Whether the confirmed grade asks the bank for a rectification plan (its scheme says)."""
    return "rectification_plan" in measures(evaluation)


def plan_gaps(evaluation: Evaluation) -> list[Gap]:
    """The gaps the plan answers: the notified scorecard's gap list."""
    if not evaluation.result:
        return []
    return gaps(schemes.load(evaluation.scheme_version), result_from_dict(evaluation.result))


def latest_deadline(evaluation: Evaluation) -> date | None:
    """The last day an item may be done by: the scheme's days for the grade from notification."""
    days = schemes.load(evaluation.scheme_version).consequence(evaluation.grade).deadline_days
    if days is None or evaluation.notified_at is None:
        return None
    return timezone.localdate(evaluation.notified_at) + timedelta(days=days)


# -- the talk ------------------------------------------------------------------------------------


def talk_record(
    evaluation: Evaluation, case_id: int, held_on: date, principal_officer: str
) -> SupervisoryTalk:
    """The talk escalation recorded on the result's case (``causes.talk_recorded``), on the
    result's scorecard and told to the bank."""
    with transaction.atomic(durable=True):
        talk = SupervisoryTalk.objects.create(
            evaluation=evaluation,
            case_id=case_id,
            held_on=held_on,
            principal_officer=principal_officer,
        )
        audit.record(
            None,
            "evaluation.talk_recorded",
            evaluation,
            {"case": case_id, "held_on": held_on.isoformat(), "with": principal_officer},
        )
        notify(
            institution_staff(evaluation.institution),
            message=gettext_noop(
                "A supervisory talk on your %(period)s evaluation was held on %(held_on)s with "
                "%(officer)s."
            ),
            params={
                "period": evaluation.period,
                "held_on": held_on.isoformat(),
                "officer": principal_officer,
            },
            url=reverse("evaluation-detail", args=[evaluation.pk]),
            target=evaluation,
        )
    return talk


# -- the plan ------------------------------------------------------------------------------------


def _checked_items(evaluation: Evaluation, items: list[PlannedItem]) -> dict[str, Gap]:
    """Every gap answered once, each with an action and a deadline within the scheme's days."""
    listed = {gap.code: gap for gap in plan_gaps(evaluation)}
    given = [item.code for item in items]
    if sorted(given) != sorted(listed):
        raise ValidationError(
            _("Answer every gap of the gap list once (%(codes)s).") % {"codes": ", ".join(listed)}
        )
    last, today = latest_deadline(evaluation), timezone.localdate()
    for item in items:
        if not item.action.strip():
            raise ValidationError(_("Say what you will do about %(code)s.") % {"code": item.code})
        if item.deadline <= today or (last is not None and item.deadline > last):
            raise ValidationError(
                _("%(code)s: the deadline must be after today and no later than %(last)s.")
                % {"code": item.code, "last": last.isoformat() if last else "—"}
            )
    return listed


def plan_file(user, evaluation: Evaluation, items: Iterable[PlannedItem]) -> RectificationPlan:
    """The bank files its plan against its notified scorecard, item by item from the gap list."""
    items = list(items)
    with transaction.atomic(durable=True):
        evaluations = Evaluation.objects.select_related("institution__office")
        evaluation = scoping.locked_for(user, evaluations, Role.PREPARER, evaluation.pk)
        if not (evaluation.shown_to_bank and calls_for_plan(evaluation)):
            raise ValidationError(_("This result asks for no rectification plan."))
        if RectificationPlan.objects.filter(evaluation=evaluation).exists():
            raise ValidationError(_("The rectification plan is filed already."))
        listed = _checked_items(evaluation, items)
        plan = RectificationPlan.objects.create(
            evaluation=evaluation, filed_by=user, filed_at=timezone.now()
        )
        PlanItem.objects.bulk_create(
            PlanItem(
                plan=plan,
                code=item.code,
                gap=listed[item.code].text,
                lost=listed[item.code].lost,
                action=item.action.strip(),
                deadline=item.deadline,
            )
            for item in items
        )
        audit.record(
            user,
            "evaluation.plan_filed",
            plan,
            {"items": {i.code: [i.action.strip(), i.deadline.isoformat()] for i in items}},
        )
        notify(
            office_staff(evaluation.institution.office, Role.REVIEWER),
            message=gettext_noop(
                "%(institution)s filed its rectification plan for %(period)s: %(items)s items"
            ),
            params={
                "institution": evaluation.institution.name_zh,
                "period": evaluation.period,
                "items": len(items),
            },
            url=plan_url(evaluation),
            target=plan,
        )
    return plan


def _locked_item(user, item: PlanItem, role: str) -> PlanItem:
    items = PlanItem.objects.select_related("plan__evaluation__institution__office")
    item = scoping.locked_for(user, items, role, item.pk)
    if item.plan.status == PlanStatus.CLOSED:
        raise ValidationError(_("The rectification plan is closed."))
    return item


def item_report(user, item: PlanItem, text: str, files: Iterable[UploadedFile]) -> PlanItem:
    """The bank reports an item done, with what it did and files as evidence."""
    files = list(files)
    if not text.strip():
        raise ValidationError(_("Say what was done."))
    if not files:
        raise ValidationError(_("Attach the evidence that it is done."))
    check_evidence(files)
    with atomic_with_files(durable=True):
        item = _locked_item(user, item, Role.PREPARER)
        if item.status != ItemStatus.OPEN:
            raise ValidationError(_("This item is not open."))
        for upload in files:
            assert upload.name is not None, "uploaded files are named (the forms' and the API's)"
            sha256, size = sha256_of(upload)
            name = upload.name.rsplit("/", 1)[-1][:255]
            evidence = PlanEvidence(
                item=item, original_name=name, size=size, sha256=sha256, uploaded_by=user
            )
            save_file(evidence.file, name, upload)
            evidence.save()
        item.status, item.report = ItemStatus.REPORTED, text.strip()
        item.reported_at = timezone.now()
        item.save(update_fields=["status", "report", "reported_at"])
        audit.record(
            user,
            "evaluation.plan_item_reported",
            item,
            {"item": item.code, "files": [e.sha256 for e in item.evidence.all()]},
        )
        evaluation = item.plan.evaluation
        notify(
            office_staff(evaluation.institution.office, Role.REVIEWER),
            message=gettext_noop(
                "%(institution)s reports item %(code)s of its rectification plan done"
            ),
            params={"institution": evaluation.institution.name_zh, "code": item.code},
            url=plan_url(evaluation),
            target=item.plan,
        )
    return item


def item_decide(user, item: PlanItem, accept: bool, note: str = "") -> PlanItem:
    """The office closes a reported item, or sends it back with its reason; closing the last
    item closes the plan."""
    if not accept and not note.strip():
        raise ValidationError(_("Say why the item is sent back."))
    with transaction.atomic(durable=True):
        item = _locked_item(user, item, Role.REVIEWER)
        if item.status != ItemStatus.REPORTED:
            raise ValidationError(_("This item is not reported done."))
        item.status = ItemStatus.CLOSED if accept else ItemStatus.OPEN
        item.office_note, item.closed_at = note.strip(), timezone.now() if accept else None
        item.save(update_fields=["status", "office_note", "closed_at"])
        changes = {"item": item.code, "note": note.strip()}
        if accept:
            audit.record(user, "evaluation.plan_item_closed", item, changes)
        else:
            audit.record(user, "evaluation.plan_item_sent_back", item, changes)
        plan = RectificationPlan.objects.select_for_update().get(pk=item.plan_id)
        closes = not plan.items.exclude(status=ItemStatus.CLOSED).exists()
        if closes:
            plan.status, plan.closed_at = PlanStatus.CLOSED, timezone.now()
            plan.save(update_fields=["status", "closed_at"])
            audit.record(user, "evaluation.plan_closed", plan)
        evaluation = item.plan.evaluation
        if closes:
            message = gettext_noop("Your rectification plan for %(period)s is closed")
        elif accept:
            message = gettext_noop("Item %(code)s of your rectification plan is closed")
        else:
            message = gettext_noop(
                "Item %(code)s of your rectification plan was sent back: %(note)s"
            )
        notify(
            institution_staff(evaluation.institution),
            message=message,
            params={"period": evaluation.period, "code": item.code, "note": note.strip()[:200]},
            url=plan_url(evaluation),
            target=plan,
        )
    return item


def waiting(user) -> list[Waiting]:
    """Items reported done, to decide on (offices); plans to file (banks)."""
    scope = scoping.scope_of(user)
    items = []
    if scope.is_regulator:
        reported = scoping.actionable(user, PlanItem, Role.REVIEWER).filter(
            status=ItemStatus.REPORTED
        )
        first = reported.select_related("plan__evaluation").first()
        url = plan_url(first.plan.evaluation) if first else reverse("evaluation-ranking")
        items.append(
            Waiting(reported.count(), gettext_lazy("Rectification items reported done"), url)
        )
    if scope.is_bank:
        notified = scoping.actionable(user, Evaluation, Role.PREPARER).filter(
            status__in=EvaluationStatus.shown_to_bank(), rectification_plan=None
        )
        owed = [e for e in notified.order_by("-period") if calls_for_plan(e)]
        url = plan_url(owed[0]) if owed else reverse("evaluation-ranking")
        items.append(Waiting(len(owed), gettext_lazy("Rectification plans to file"), url))
    return items
