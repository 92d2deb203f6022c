"""The yearly evaluation cycle, one service per verb: the bank's self-assessment (its own
points on the qualitative items, with evidence), the office's review (qualitative points,
adjustments with a reason), confirmation by the head of office, notification to the bank,
archive, and reopening with a reason. Each verb checks the user's role and the evaluation's
state in one transaction, writes the audit trail and announces what follows on commit.
"""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

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
from portal.stored_files import atomic_with_files, check_evidence, save_file
from portal.worklist import Waiting
from supervision import causes
from supervision.evaluation import scheme as schemes
from supervision.evaluation.consequences import measures, under_closer_supervision
from supervision.evaluation.models import (
    Arrangement,
    Evaluation,
    EvaluationStatus,
    Evidence,
    PointAdjustment,
    QualitativeScore,
    ScoreRecord,
)
from supervision.evaluation.scheme import Indicator
from supervision.evaluation.selectors import current_result
from supervision.evaluation.services import rescore

S = EvaluationStatus
ItemPoints = tuple[str, object, str]  # a qualitative item's code, points as given, and note


def _locked(user, evaluation: Evaluation, role: str) -> Evaluation:
    return scoping.locked_for(
        user, Evaluation.objects.select_related("institution__office"), role, evaluation.pk
    )


def _require(evaluation: Evaluation, *statuses: str) -> None:
    if evaluation.status not in statuses:
        raise ValidationError(
            _("Not possible while the evaluation is %(status)s.")
            % {"status": evaluation.get_status_display().lower()}
        )


def _item(evaluation: Evaluation, code: str, qualitative: bool) -> Indicator:
    scheme = schemes.load(evaluation.scheme_version)
    try:
        indicator = scheme.indicator(code)
    except KeyError:
        indicator = None
    if (
        indicator is None
        or not indicator.applies(evaluation.institution.kind)
        or indicator.qualitative != qualitative
    ):
        raise ValidationError(_("%(code)s is not an item you can score here.") % {"code": code})
    return indicator


def _points(value, low: Decimal, high: Decimal) -> Decimal:
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("Points must be a number.")) from exc
    if not points.is_finite() or not low <= points <= high or points != round(points, 2):
        raise ValidationError(
            _("Points must lie between %(low)s and %(high)s, with at most two decimals.")
            % {"low": low, "high": high}
        )
    return points


# -- the bank's self-assessment ------------------------------------------------------------------


def self_assess(user, evaluation: Evaluation, code: str, points, note: str = "") -> None:
    """The bank scores one qualitative item itself, saying why."""
    self_assess_items(user, evaluation, [(code, points, note)])


def self_assess_items(user, evaluation: Evaluation, items: Iterable[ItemPoints]) -> None:
    """The bank scores qualitative items itself, each (code, points, note) saying why: all of
    them, or none when one is refused."""
    with transaction.atomic(durable=True):
        evaluation = _locked(user, evaluation, Role.PREPARER)
        _require(evaluation, S.SELF_ASSESSMENT)
        for code, points, note in items:
            item = _item(evaluation, code, qualitative=True)
            given = _points(points, item.floor, item.points)
            entry, _created = QualitativeScore.objects.get_or_create(
                evaluation=evaluation, code=code
            )
            before = entry.self_points
            entry.self_points, entry.self_note = given, note.strip()
            entry.save(update_fields=["self_points", "self_note"])
            audit.record(
                user,
                "evaluation.self_assessed",
                evaluation,
                {"item": code, "points": [_text(before), str(given)]},
            )


def attach_evidence(user, evaluation: Evaluation, code: str, upload: UploadedFile) -> Evidence:
    """A document for one qualitative item of the self-assessment."""
    check_evidence([upload])
    with atomic_with_files(durable=True):
        evaluation = _locked(user, evaluation, Role.PREPARER)
        _require(evaluation, S.SELF_ASSESSMENT)
        _item(evaluation, code, qualitative=True)
        assert upload.name is not None, "uploaded files are named (the forms' and the API's)"
        name = upload.name.rsplit("/", 1)[-1][:200]
        evidence = Evidence(evaluation=evaluation, code=code, original_name=name, uploaded_by=user)
        save_file(evidence.file, name, upload)
        evidence.save()
        audit.record(user, "evaluation.evidence_attached", evaluation, {"item": code, "file": name})
    return evidence


def submit_self_assessment(user, evaluation: Evaluation) -> None:
    """The bank's approver hands the self-assessment to the office; every item is scored."""
    with transaction.atomic(durable=True):
        evaluation = _locked(user, evaluation, Role.APPROVER)
        _require(evaluation, S.SELF_ASSESSMENT)
        scheme = schemes.load(evaluation.scheme_version)
        codes = {i.code for i in scheme.qualitative_items(evaluation.institution.kind)}
        scored = set(
            evaluation.qualitative.filter(self_points__isnull=False).values_list("code", flat=True)
        )
        if missing := sorted(codes - scored):
            raise ValidationError(
                _("Score every item before submitting: %(items)s.") % {"items": ", ".join(missing)}
            )
        evaluation.status, evaluation.self_submitted_at = S.REVIEW, timezone.now()
        evaluation.save(update_fields=["status", "self_submitted_at"])
        audit.record(user, "evaluation.self_assessment_submitted", evaluation)
        notify(
            office_staff(evaluation.institution.office, Role.REVIEWER),
            message=gettext_noop("%(institution)s submitted its self-assessment for %(period)s."),
            params={"institution": evaluation.institution.name_zh, "period": evaluation.period},
            url=_url(evaluation),
            target=evaluation,
        )


# -- the office's review -------------------------------------------------------------------------


def start_review(user, evaluation: Evaluation) -> None:
    """The office closes the self-assessment (the bank did not submit in time) and reviews."""
    with transaction.atomic(durable=True):
        evaluation = _locked(user, evaluation, Role.REVIEWER)
        _require(evaluation, S.SELF_ASSESSMENT)
        evaluation.status = S.REVIEW
        evaluation.save(update_fields=["status"])
        audit.record(user, "evaluation.review_started", evaluation)


def review_item(user, evaluation: Evaluation, code: str, points, note: str = "") -> None:
    """A reviewer's points for one qualitative item; the result is scored again."""
    review_items(user, evaluation, [(code, points, note)])


def review_items(user, evaluation: Evaluation, items: Iterable[ItemPoints]) -> None:
    """A reviewer's points for qualitative items, each (code, points, note): all of them, or
    none when one is refused; the result is scored again."""
    with transaction.atomic(durable=True):
        evaluation = _locked(user, evaluation, Role.REVIEWER)
        _require(evaluation, S.REVIEW)
        for code, points, note in items:
            item = _item(evaluation, code, qualitative=True)
            given = _points(points, item.floor, item.points)
            entry, _created = QualitativeScore.objects.get_or_create(
                evaluation=evaluation, code=code
            )
            before = entry.points
            entry.points, entry.note = given, note.strip()
            entry.scored_by, entry.scored_at = user, timezone.now()
            entry.save(update_fields=["points", "note", "scored_by", "scored_at"])
            audit.record(
                user,
                "evaluation.item_reviewed",
                evaluation,
                {"item": code, "points": [_text(before), str(given)]},
            )
        rescore(evaluation, ScoreRecord.Cause.REVIEW)


def adjust(user, evaluation: Evaluation, code: str, points, reason: str) -> None:
    """A reviewer replaces a computed indicator's points, with the reason."""
    if not reason.strip():
        raise ValidationError(_("Say why the points are adjusted."))
    with transaction.atomic(durable=True):
        evaluation = _locked(user, evaluation, Role.REVIEWER)
        _require(evaluation, S.REVIEW)
        item = _item(evaluation, code, qualitative=False)
        given = _points(points, item.lowest, item.points)
        result = current_result(evaluation)  # None while there is no result
        computed = result.line(code).points if result is not None else None
        PointAdjustment.objects.update_or_create(
            evaluation=evaluation,
            code=code,
            defaults={"points": given, "reason": reason.strip(), "adjusted_by": user},
        )
        audit.record(
            user,
            "evaluation.adjusted",
            evaluation,
            {
                "indicator": code,
                "points": [str(computed) if computed is not None else None, str(given)],
                "reason": reason.strip(),
            },
        )
        rescore(evaluation, ScoreRecord.Cause.REVIEW)


def set_arrangement(
    user,
    evaluation: Evaluation,
    differentiated: bool,
    reason: str,
    growth_target: str = "",
) -> Arrangement:
    """The office records the growth target it set the institution for the year (if any) and
    whether it carries reform or risk-resolution work (a differentiated arrangement); the
    result is scored again. The credit plan is the bank's to file (SME-CREDIT-PLAN)."""
    reason = reason.strip()
    if differentiated and not reason:
        raise ValidationError(_("Say why the institution gets a differentiated arrangement."))
    target = _growth_target(growth_target)
    with transaction.atomic(durable=True):
        evaluation = _locked(user, evaluation, Role.REVIEWER)
        if evaluation.is_frozen:
            raise ValidationError(
                _("The result is confirmed: reopen it before changing its arrangement.")
            )
        year = int(evaluation.period[:4])
        before = Arrangement.objects.filter(
            institution_id=evaluation.institution_id, year=year
        ).first()
        arrangement, _created = Arrangement.objects.update_or_create(
            institution_id=evaluation.institution_id,
            year=year,
            defaults={
                "growth_target": target,
                "differentiated": differentiated,
                "reason": reason,
            },
        )
        audit.record(
            user,
            "evaluation.arrangement_set",
            evaluation,
            {
                "growth_target": [
                    _text(before.growth_target) if before else None,
                    _text(target),
                ],
                "differentiated": [before.differentiated if before else None, differentiated],
                "reason": reason,
            },
        )
        rescore(evaluation, ScoreRecord.Cause.REVIEW)
    return arrangement


def _growth_target(value: str) -> Decimal | None:
    """A growth target in percent since the start of the year: blank for none."""
    if not str(value).strip():
        return None
    try:
        target = Decimal(str(value).strip().rstrip("%"))
    except InvalidOperation as exc:
        raise ValidationError(_("The growth target must be a percentage.")) from exc
    if not target.is_finite() or abs(target) >= 1000 or target != round(target, 2):
        raise ValidationError(
            _("The growth target must be a percentage below 1000 with at most two decimals.")
        )
    return target


def _text(amount: Decimal | None) -> str | None:
    return str(amount) if amount is not None else None


# -- confirmation, notification, archive ----------------------------------------------------------


def confirm(user, evaluation: Evaluation) -> None:
    """The head of office confirms a complete result; from now on it is frozen."""
    with transaction.atomic(durable=True):
        evaluation = _locked(user, evaluation, Role.HEAD)
        _require(evaluation, S.REVIEW)
        rescore(evaluation, ScoreRecord.Cause.REVIEW)
        evaluation.refresh_from_db()
        result = current_result(evaluation)
        if result is None or not result.complete:
            missing = ", ".join(line.code for line in result.missing) if result else ""
            raise ValidationError(
                _(
                    "Not every indicator is scored (%(items)s): add the reviewer's points or "
                    "adjust them with a reason first."
                )
                % {"items": missing}
            )
        evaluation.status = S.CONFIRMED
        evaluation.confirmed_by, evaluation.confirmed_at = user, timezone.now()
        evaluation.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        audit.record(
            user,
            "evaluation.confirmed",
            evaluation,
            {"total": str(result.total), "grade": result.label},
        )
        scheme = schemes.load(evaluation.scheme_version)
        assert evaluation.grade is not None, "a complete result has its grade (rescore)"
        if evaluation.grade >= scheme.escalation_grade:
            cause = low_grade_cause(evaluation)
            transaction.on_commit(lambda: causes.cause_found.send(Evaluation, causes=[cause]))


def notify_bank(user, evaluation: Evaluation) -> None:
    """Tell the bank its confirmed result; its officers may now read the scorecard."""
    with transaction.atomic(durable=True):
        evaluation = _locked(user, evaluation, Role.REVIEWER)
        _require(evaluation, S.CONFIRMED)
        evaluation.status, evaluation.notified_at = S.NOTIFIED, timezone.now()
        evaluation.save(update_fields=["status", "notified_at"])
        audit.record(user, "evaluation.notified", evaluation, {"grade": evaluation.grade_label})
        notify(
            institution_staff(evaluation.institution),
            message=gettext_noop(
                "Your regulatory evaluation for %(period)s is confirmed: grade %(grade)s."
            ),
            params={"period": evaluation.period, "grade": evaluation.grade_label},
            url=_url(evaluation),
            target=evaluation,
        )


def archive(user, evaluation: Evaluation) -> None:
    with transaction.atomic(durable=True):
        evaluation = _locked(user, evaluation, Role.REVIEWER)
        _require(evaluation, S.NOTIFIED)
        evaluation.status, evaluation.archived_at = S.ARCHIVED, timezone.now()
        evaluation.save(update_fields=["status", "archived_at"])
        audit.record(user, "evaluation.archived", evaluation)


def reopen(user, evaluation: Evaluation, reason: str) -> None:
    """The head of office reopens a confirmed result for review, saying why."""
    if not reason.strip():
        raise ValidationError(_("Say why the result is reopened."))
    with transaction.atomic(durable=True):
        evaluation = _locked(user, evaluation, Role.HEAD)
        _require(evaluation, *S.frozen())
        before = evaluation.status
        evaluation.status, evaluation.reopen_reason = S.REVIEW, reason.strip()
        evaluation.save(update_fields=["status", "reopen_reason"])
        audit.record(
            user,
            "evaluation.reopened",
            evaluation,
            {"status": [before, S.REVIEW], "reason": reason.strip()},
        )
        rescore(evaluation, ScoreRecord.Cause.REOPEN)


# -- escalation ------------------------------------------------------------------------------------


def _url(evaluation: Evaluation) -> str:
    return reverse("evaluation-detail", args=[evaluation.pk])


def low_grade_cause(evaluation: Evaluation) -> causes.Cause:
    """A confirmed grade at or below the escalation grade, as escalation reads it."""
    assert evaluation.grade is not None, "a confirmed result has its grade"
    return causes.Cause(
        kind="low-grade",
        key=f"evaluation-result:{evaluation.pk}",
        institution_id=evaluation.institution_id,
        office_id=evaluation.institution.office_id,
        measure=Decimal(evaluation.grade),
        summary=(
            f"{evaluation.period} 监管评价 {evaluation.grade_label} 级（{evaluation.total} 分）"
        ),
        evidence_url=_url(evaluation),
        occurred_on=timezone.localdate(evaluation.confirmed_at),
        details={
            "period": evaluation.period,
            "grade": evaluation.grade,
            "band": evaluation.band,
            "total": str(evaluation.total),
            "scheme": evaluation.scheme_version,
            # What the scheme says follows the grade, for the case that acts on it.
            "consequences": measures(evaluation),
        },
        requires_talk="supervisory_talk" in measures(evaluation),
    )


@causes.provider("low-grade")
def low_grades(as_of) -> list[causes.Cause]:
    """Each institution's latest confirmed result, where its grade is at or below the
    scheme's escalation grade."""
    confirmed = (
        Evaluation.objects.filter(status__in=S.frozen(), confirmed_at__lte=as_of)
        .select_related("institution")
        .order_by("institution_id", "-period")
    )
    latest: dict[int, Evaluation] = {}
    for evaluation in confirmed:
        latest.setdefault(evaluation.institution_id, evaluation)
    found = []
    for e in latest.values():
        assert e.grade is not None, "a confirmed result has its grade"
        if e.grade >= schemes.load(e.scheme_version).escalation_grade:
            found.append(low_grade_cause(e))
    return found


def waiting(user) -> list[Waiting]:
    """Results to review (offices); self-assessments to complete and submit (banks)."""
    scope = scoping.scope_of(user)
    ranking = reverse("evaluation-ranking")
    items = []
    if scope.is_regulator:
        review = scoping.actionable(user, Evaluation, Role.REVIEWER).filter(
            status=EvaluationStatus.REVIEW
        )
        items.append(
            Waiting(
                review.count(),
                gettext_lazy("Evaluations to review"),
                f"{ranking}?status={EvaluationStatus.REVIEW}",
            )
        )
        closer = under_closer_supervision(user).count()
        items.append(
            Waiting(closer, gettext_lazy("Institutions under closer supervision"), ranking)
        )
    if scope.is_bank:
        own = scoping.visible(user, Evaluation).filter(status=EvaluationStatus.SELF_ASSESSMENT)
        first = own.order_by("-period").first()
        url = reverse("evaluation-detail", args=[first.pk]) if first else ranking
        items.append(
            Waiting(own.count(), gettext_lazy("Self-assessments to complete and submit"), url)
        )
    return items
