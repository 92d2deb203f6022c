"""Escalation cases: raised from causes by the rules, acted on by offices, answered by
institutions, closed with a recorded action. One service function per verb; each owns its
transaction, writes the audit event and notifies people on commit (``portal.notifications``).

The rules (when a cause raises a case, how long each level has to act) are
``supervision.escalation.rules``; the timers (cases that climb when unacted) are
``supervision.escalation.climbing``.
"""

from collections.abc import Iterable
from datetime import date
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from portal import audit, scoping
from portal.models import Office, Role
from portal.notifications import (
    institution_staff,
    notify,
    office_staff,
)
from portal.stored_files import atomic_with_files, check_evidence, save_file, sha256_of
from portal.worklist import Waiting
from supervision import causes
from supervision.escalation.models import (
    ActionKind,
    Case,
    CaseAction,
    CaseEvent,
    CaseStatus,
    Decision,
    EventVerb,
    NoticeResponse,
    NoticeStatus,
    RectificationNotice,
    ResponseEvidence,
)
from supervision.escalation.rules import rule_for

ACTING_ROLE = Role.REVIEWER


def case_url(case: Case) -> str:
    return reverse("escalation-case", args=[case.pk])


def notice_url(notice: RectificationNotice) -> str:
    return reverse("escalation-notice", args=[notice.pk])


def _event(case: Case, verb: str, actor=None, note: str = "", to_office: Office | None = None):
    CaseEvent.objects.create(
        case=case,
        at=timezone.now(),
        verb=verb,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        office=case.office,
        to_office=to_office,
        note=note,
    )


def params_of(case: Case, **more) -> dict:
    return {"case": case.pk, "subject": case.subject.name_zh, **more}


# -- acting on a case --------------------------------------------------------------------


def _locked_case(user, case: Case, role: str = ACTING_ROLE) -> Case:
    """The case, locked, if ``user`` may act on it with ``role``; refuses a closed case."""
    locked = scoping.locked_for(user, Case, role, case.pk)
    if locked.is_closed:
        raise ValidationError(_("This case is closed."))
    return locked


def case_acknowledge(user, case: Case) -> Case:
    """The office takes the case on: it stops climbing."""
    with transaction.atomic(durable=True):
        case = _locked_case(user, case)
        if case.status != CaseStatus.OPEN:
            raise ValidationError(_("This case was acknowledged already."))
        case.status, case.acknowledged_at = CaseStatus.ACKNOWLEDGED, timezone.now()
        case.save(update_fields=["status", "acknowledged_at"])
        _event(case, EventVerb.ACKNOWLEDGED, user)
        audit.record(user, "escalation.acknowledged", case)
    return case


def _mark_acted(case: Case) -> None:
    case.status = CaseStatus.ACTION_TAKEN
    case.acknowledged_at = case.acknowledged_at or timezone.now()
    case.save(update_fields=["status", "acknowledged_at"])


def action_record(
    user, case: Case, kind: str, held_on: date, minutes: str, principal_officer: str = ""
) -> CaseAction:
    """A supervisory talk with its minutes (and the institution's principal officer who attended,
    whom the causes that require a talk ask for), or a follow-up inspection with its findings.
    A talk is told to the capability that found the case's causes, on commit."""
    if kind not in ActionKind.values:
        raise ValidationError(_("Unknown action."))
    if not minutes.strip():
        raise ValidationError(_("Write the minutes or findings."))
    if held_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    principal_officer = principal_officer.strip() if kind == ActionKind.TALK else ""
    with transaction.atomic(durable=True):
        case = _locked_case(user, case)
        if kind == ActionKind.TALK and not principal_officer and _requires_talk(case):
            raise ValidationError(
                _("Name the institution's principal officer who attended the talk.")
            )
        action = CaseAction.objects.create(
            case=case,
            kind=kind,
            held_on=held_on,
            minutes=minutes.strip(),
            principal_officer=principal_officer,
            recorded_by=user,
        )
        _mark_acted(case)
        verb = EventVerb.TALK if kind == ActionKind.TALK else EventVerb.INSPECTION
        _event(case, verb, user, note=minutes.strip())
        audit.record(
            user,
            f"escalation.{kind}",
            case,
            {"held_on": held_on.isoformat(), "action": action.pk, "with": principal_officer},
        )
        if kind == ActionKind.TALK:
            keys = list(case.causes.values_list("key", flat=True))
            transaction.on_commit(
                lambda: causes.talk_recorded.send(
                    Case,
                    keys=keys,
                    case_id=case.pk,
                    held_on=held_on,
                    principal_officer=principal_officer,
                )
            )
    return action


def _requires_talk(case: Case) -> bool:
    return case.causes.filter(requires_talk=True).exists()


def _talk_held(case: Case) -> bool:
    return case.actions.filter(kind=ActionKind.TALK).exclude(principal_officer="").exists()


def notice_issue(user, case: Case, requirements: str, deadline: date) -> RectificationNotice:
    """A rectification notice to the institution, which must answer by ``deadline``."""
    if not requirements.strip():
        raise ValidationError(_("Write what the institution must rectify."))
    if deadline <= timezone.localdate():
        raise ValidationError(_("The deadline must be after today."))
    with transaction.atomic(durable=True):
        case = _locked_case(user, case)
        notice = RectificationNotice.objects.create(
            case=case, requirements=requirements.strip(), deadline=deadline, issued_by=user
        )
        _mark_acted(case)
        _event(case, EventVerb.NOTICE_ISSUED, user, note=requirements.strip())
        audit.record(user, "escalation.notice_issued", notice, {"deadline": deadline.isoformat()})
        notify(
            institution_staff(case.institution, case.branch),
            message=gettext_noop(
                "Rectification notice #%(notice)s from %(office)s: answer by %(deadline)s"
            ),
            params={
                "notice": notice.pk,
                "office": case.office.name_zh,
                "deadline": deadline.isoformat(),
            },
            url=notice_url(notice),
            target=notice,
        )
    return notice


def notice_answer(
    user, notice: RectificationNotice, text: str, files: Iterable[UploadedFile] = ()
) -> NoticeResponse:
    """The institution's remedy, with files as evidence; the office then decides on it."""
    if not text.strip():
        raise ValidationError(_("Describe the remedy."))
    files = list(files)
    check_evidence(files)
    with atomic_with_files(durable=True):
        notice = scoping.locked_for(
            user, RectificationNotice.objects.select_related("case"), Role.PREPARER, notice.pk
        )
        if notice.status != NoticeStatus.ISSUED or notice.case.is_closed:
            raise ValidationError(_("This notice is not awaiting an answer."))
        response = NoticeResponse.objects.create(
            notice=notice, text=text.strip(), responded_by=user
        )
        for upload in files:
            assert upload.name is not None, "uploaded files are named (the forms' and the API's)"
            sha256, size = sha256_of(upload)
            evidence = ResponseEvidence(
                response=response, original_name=upload.name[:255], size=size, sha256=sha256
            )
            save_file(evidence.file, upload.name, upload)
            evidence.save()
        notice.status = NoticeStatus.ANSWERED
        notice.save(update_fields=["status"])
        case = notice.case
        _event(case, EventVerb.NOTICE_ANSWERED, user, note=text.strip())
        audit.record(
            user,
            "escalation.notice_answered",
            notice,
            {"response": response.pk, "files": [e.sha256 for e in response.evidence.all()]},
        )
        rule = rule_for(case.kind, case.office)
        notify(
            office_staff(case.office, rule.notify_role if rule else ACTING_ROLE),
            message=gettext_noop("%(subject)s answered rectification notice #%(notice)s"),
            params=params_of(case, notice=notice.pk),
            url=notice_url(notice),
            target=notice,
        )
    return response


def notice_decide(
    user, notice: RectificationNotice, accept: bool, note: str = "", deadline: date | None = None
) -> NoticeResponse:
    """The office accepts the remedy, or rejects it with a reason and awaits a new answer by
    ``deadline`` (required once the notice's own has come; otherwise it stays unless given).
    A new deadline may lapse and be announced again."""
    today = timezone.localdate()
    if not accept:
        if not note.strip():
            raise ValidationError(_("Say why the remedy is rejected."))
        if deadline is not None and deadline <= today:
            raise ValidationError(_("The deadline must be after today."))
    with transaction.atomic(durable=True):
        case = _locked_case(user, notice.case)
        notice = RectificationNotice.objects.select_for_update().get(pk=notice.pk)
        if notice.status != NoticeStatus.ANSWERED:
            raise ValidationError(_("This notice has no answer awaiting a decision."))
        if not accept and deadline is None and notice.deadline <= today:
            raise ValidationError(
                _("The notice's deadline has come: give a new one for the next answer.")
            )
        response = notice.responses.filter(decision=Decision.PENDING).last()
        assert response is not None, "an answered notice has its answer pending (notice_answer)"
        response.decision = Decision.ACCEPTED if accept else Decision.REJECTED
        response.decided_by, response.decided_at = user, timezone.now()
        response.decision_note = note.strip()
        response.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
        changes = {"response": response.pk, "note": note.strip()}
        notice.status = NoticeStatus.ACCEPTED if accept else NoticeStatus.ISSUED
        if not accept and deadline is not None:
            changes["deadline"] = [notice.deadline.isoformat(), deadline.isoformat()]
            notice.deadline, notice.lapsed_at = deadline, None
        notice.save(update_fields=["status", "deadline", "lapsed_at"])
        verb = EventVerb.REMEDY_ACCEPTED if accept else EventVerb.REMEDY_REJECTED
        _event(case, verb, user, note=note.strip())
        audit.record(user, f"escalation.{verb}", notice, changes)
        if accept:
            message = gettext_noop("Your answer to rectification notice #%(notice)s was accepted")
        elif deadline is None:
            message = gettext_noop(
                "Your answer to rectification notice #%(notice)s was rejected: %(note)s"
            )
        else:
            message = gettext_noop(
                "Your answer to rectification notice #%(notice)s was rejected: %(note)s. "
                "Answer again by %(deadline)s."
            )
        notify(
            institution_staff(case.institution, case.branch),
            message=message,
            params={
                "notice": notice.pk,
                "note": note.strip()[:200],
                "deadline": notice.deadline.isoformat(),
            },
            url=notice_url(notice),
            target=notice,
        )
    return response


def case_close(user, case: Case, note: str) -> Case:
    """Close a case on which an action was recorded and no notice awaits an answer."""
    if not note.strip():
        raise ValidationError(_("Say how the case was resolved."))
    with transaction.atomic(durable=True):
        case = _locked_case(user, case)
        if case.status != CaseStatus.ACTION_TAKEN:
            raise ValidationError(
                _("Record an action (a talk, a notice or an inspection) before closing.")
            )
        if case.notices.exclude(status=NoticeStatus.ACCEPTED).exists():
            raise ValidationError(
                _("A rectification notice is still awaiting an answer or a decision.")
            )
        if _requires_talk(case) and not _talk_held(case):
            raise ValidationError(
                _(
                    "A cause of this case requires a supervisory talk with the institution's "
                    "principal officer: record it before closing."
                )
            )
        case.status, case.closed_at, case.closing_note = (
            CaseStatus.CLOSED,
            timezone.now(),
            note.strip(),
        )
        case.save(update_fields=["status", "closed_at", "closing_note"])
        _event(case, EventVerb.CLOSED, user, note=note.strip())
        audit.record(user, "escalation.closed", case, {"note": note.strip()})
    return case


def desk_cases(user):
    """Cases at the user's offices, and below them where the user is head of office."""
    scope = scoping.scope_of(user)
    here = [Q(office__path=path) for _role, path in scope.offices]
    below = [Q(office__path__startswith=path) for role, path in scope.offices if role == Role.HEAD]
    return scoping.visible(user, Case).filter(reduce(or_, here + below))


def waiting(user) -> list[Waiting]:
    """Cases not yet taken up and remedies to decide on (offices); notices to answer (banks)."""
    scope = scoping.scope_of(user)
    items = []
    if scope.is_regulator:
        fresh = desk_cases(user).filter(status=CaseStatus.OPEN)
        answered = scoping.actionable(user, RectificationNotice, ACTING_ROLE).filter(
            status=NoticeStatus.ANSWERED
        )
        items += [
            Waiting(
                fresh.count(),
                gettext_lazy("Escalation cases not yet taken up"),
                reverse("escalation-desk"),
            ),
            Waiting(
                answered.count(),
                gettext_lazy("Remedies awaiting your decision"),
                reverse("escalation-notices"),
            ),
        ]
    if scope.is_bank:
        issued = scoping.visible(user, RectificationNotice).filter(
            status=NoticeStatus.ISSUED, case__closed_at=None
        )
        items.append(
            Waiting(
                issued.count(),
                gettext_lazy("Rectification notices to answer"),
                reverse("escalation-notices"),
            )
        )
    return items
