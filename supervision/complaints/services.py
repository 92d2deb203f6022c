"""The life of a complaint, one service function per verb.

Each verb locks the complaint, checks who may act and from which status, writes the change, a
timeline step and the audit event in one transaction, and tells the parties (their inbox rows
commit with the change; emails and escalation's signal go out on commit). A refusal is a
``PermissionDenied`` (the wrong party) or a ``ValidationError`` with a message for people.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from portal import audit, scoping
from portal.identifiers import check_credit_code
from portal.models import Branch, Division, Office, Role, User
from portal.notifications import institution_staff, notify, office_staff
from portal.stored_files import atomic_with_files
from portal.worklist import Waiting
from supervision import causes
from supervision.complaints.causes import overdue_cause, rejected_cause, substantive_cause
from supervision.complaints.clock import due_date, local_day
from supervision.complaints.files import check_uploads, store_uploads
from supervision.complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintLink,
    ComplaintStatus,
    Complexity,
    DeskReason,
    EventKind,
    Outcome,
)

S = ComplaintStatus
BANK_ROLE = Role.PREPARER
OFFICE_ROLE = Role.REVIEWER


def complaint_url(complaint: Complaint) -> str:
    return reverse("complaint-detail", args=[complaint.pk])


# -- who may act ---------------------------------------------------------------------------


def can_answer(user: User, complaint: Complaint) -> bool:
    """A bank officer of the complaint's institution or branch."""
    return scoping.may_act(user, complaint, BANK_ROLE)


def can_supervise(user: User, complaint: Complaint) -> bool:
    """A reviewer or head of the office supervising the branch, or of an office above it."""
    return scoping.may_act(user, complaint, OFFICE_ROLE)


def is_owner(user: User, complaint: Complaint) -> bool:
    return complaint.owner_id == getattr(user, "pk", None)


def _lock(complaint: Complaint, allowed: Iterable[str], refusal: str) -> Complaint:
    """The complaint, locked and fresh; refused unless its status is among ``allowed``."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.status not in allowed:
        raise ValidationError(refusal)
    return locked


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _required_text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("Please give %(what)s.") % {"what": what})
    return value


def _step(
    complaint: Complaint,
    kind: str,
    actor: User | None,
    text: str = "",
    internal: bool = False,
    **details,
) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint, kind=kind, actor=actor, text=text, internal=internal, details=details
    )


def _bank(complaint: Complaint):
    return institution_staff(complaint.institution, complaint.branch)


def _tell(recipients, message: str, complaint: Complaint, **params) -> None:
    notify(
        recipients,
        message=message,
        params={"reference": complaint.reference, **params},
        url=complaint_url(complaint),
        target=complaint,
    )


def _send_causes(*found) -> None:
    transaction.on_commit(lambda: causes.cause_found.send(sender=Complaint, causes=list(found)))


# -- the owner files -----------------------------------------------------------------------


def file_complaint(
    owner: User,
    *,
    branch: Branch,
    county: Division,
    category: str,
    enterprise_name: str,
    enterprise_credit_code: str,
    legal_representative: str,
    address: str,
    contact_phone: str,
    description: str,
    wish: str,
    attachments: list[UploadedFile] = (),
) -> Complaint:
    """An SME owner's complaint against ``branch``; it reaches the institution at once."""
    _require(scoping.scope_of(owner).is_sme_owner)
    code = check_credit_code(enterprise_credit_code)
    if not code.ok:
        raise ValidationError(
            _("The enterprise's credit code is not valid: %(error)s") % {"error": code.error}
        )
    if not branch.is_active or not branch.institution.is_active:
        raise ValidationError(_("This branch no longer takes complaints."))
    check_uploads(attachments)
    with atomic_with_files():
        complaint = Complaint.objects.create(
            owner=owner,
            branch=branch,
            institution=branch.institution,
            office=branch.office,
            county=county,
            category=category,
            enterprise_name=_required_text(enterprise_name, _("the enterprise's name")),
            enterprise_credit_code=code.value,
            legal_representative=_required_text(
                legal_representative, _("the legal representative")
            ),
            address=_required_text(address, _("the address")),
            contact_phone=_required_text(contact_phone, _("a contact phone")),
            description=_required_text(description, _("what happened")),
            wish=_required_text(wish, _("what you ask for")),
            due_on=due_date(local_day(), Complexity.SIMPLE),
        )
        complaint.reference = f"TS{local_day():%Y%m%d}{complaint.pk:06d}"
        complaint.save(update_fields=["reference"])
        event = _step(complaint, EventKind.FILED, owner)
        store_uploads(complaint, event, attachments, owner)
        audit.record(owner, "complaint_filed", complaint, {"status": [None, S.FILED]})
        _tell(
            _bank(complaint),
            gettext_noop("Complaint %(reference)s was filed against you; answer due %(due)s"),
            complaint,
            due=complaint.due_on.isoformat(),
        )
        _tell([owner], gettext_noop("Your complaint %(reference)s was received"), complaint)
    return complaint


# -- the institution answers ---------------------------------------------------------------


@transaction.atomic
def acknowledge(actor: User, complaint: Complaint, complexity: str = Complexity.SIMPLE) -> None:
    """The institution takes the complaint on; a complex one gets the longer limit."""
    _require(can_answer(actor, complaint))
    if complexity not in Complexity.values:
        raise ValidationError(_("Choose simple or complex."))
    c = _lock(complaint, [S.FILED], _("Only a newly filed complaint can be acknowledged."))
    before = c.due_on
    c.status, c.complexity, c.acknowledged_at = S.ACKNOWLEDGED, complexity, timezone.now()
    c.due_on = due_date(local_day(c.filed_at), complexity, c.extended)
    c.save()
    _step(c, EventKind.ACKNOWLEDGED, actor, complexity=complexity, due=c.due_on.isoformat())
    audit.record(
        actor,
        "complaint_acknowledged",
        c,
        {"status": [S.FILED, S.ACKNOWLEDGED], "due_on": [str(before), str(c.due_on)]},
    )
    _tell(
        [c.owner],
        gettext_noop("Complaint %(reference)s was acknowledged; answer due %(due)s"),
        c,
        due=c.due_on.isoformat(),
    )


@transaction.atomic
def request_info(actor: User, complaint: Complaint, question: str) -> None:
    """Ask the owner for something the institution does not already hold; the clock runs."""
    _require(can_answer(actor, complaint))
    question = _required_text(question, _("the question"))
    c = _lock(
        complaint,
        [S.FILED, S.ACKNOWLEDGED],
        _("More information can be asked only before the answer."),
    )
    old, c.status = c.status, S.INFO_REQUESTED
    c.acknowledged_at = c.acknowledged_at or timezone.now()
    c.save()
    _step(c, EventKind.INFO_REQUESTED, actor, question)
    audit.record(actor, "complaint_info_requested", c, {"status": [old, c.status]})
    _tell(
        [c.owner],
        gettext_noop("The institution asks for more information on complaint %(reference)s"),
        c,
    )


def provide_info(
    owner: User, complaint: Complaint, text: str, attachments: list[UploadedFile] = ()
) -> None:
    """The owner's reply to the institution's question."""
    _require(is_owner(owner, complaint))
    text = _required_text(text, _("the information asked for"))
    check_uploads(attachments)
    with atomic_with_files():
        c = _lock(complaint, [S.INFO_REQUESTED], _("No information was asked for."))
        c.status = S.ACKNOWLEDGED
        c.save()
        event = _step(c, EventKind.INFO_GIVEN, owner, text)
        store_uploads(c, event, attachments, owner)
        audit.record(owner, "complaint_info_given", c, {"status": [S.INFO_REQUESTED, c.status]})
        _tell(
            _bank(c),
            gettext_noop("The owner gave more information on complaint %(reference)s"),
            c,
        )


@transaction.atomic
def extend(actor: User, complaint: Complaint, reason: str) -> None:
    """One extension, approved inside the institution, before the deadline passes."""
    _require(can_answer(actor, complaint))
    reason = _required_text(reason, _("the reason for the extension"))
    c = _lock(complaint, S.awaiting_answer(), _("Only an unanswered complaint can be extended."))
    if c.extended:
        raise ValidationError(_("The deadline has already been extended once."))
    if local_day() > c.due_on:
        raise ValidationError(_("The deadline has passed; it can no longer be extended."))
    before = c.due_on
    c.extended = True
    c.due_on = due_date(local_day(c.filed_at), c.complexity, extended=True)
    c.save()
    _step(c, EventKind.EXTENDED, actor, reason, due=c.due_on.isoformat())
    audit.record(actor, "complaint_extended", c, {"due_on": [str(before), str(c.due_on)]})
    _tell(
        [c.owner],
        gettext_noop("The deadline for complaint %(reference)s was extended to %(due)s"),
        c,
        due=c.due_on.isoformat(),
    )


@transaction.atomic
def answer(actor: User, complaint: Complaint, outcome: str, text: str) -> None:
    """The institution's answer with its outcome; one after the deadline is marked untimely."""
    _require(can_answer(actor, complaint))
    if outcome not in Outcome.values:
        raise ValidationError(_("Choose an outcome from the list."))
    text = _required_text(text, _("the answer"))
    c = _lock(
        complaint,
        [*S.awaiting_answer(), S.AT_OFFICE, S.MEDIATING],
        _("This complaint is not waiting for an answer."),
    )
    old, now = c.status, timezone.now()
    c.status, c.outcome, c.answer, c.answered_at = S.ANSWERED, outcome, text, now
    c.acknowledged_at = c.acknowledged_at or now
    if c.first_answered_at is None:
        c.first_answered_at = now
        c.answered_late = local_day(now) > c.due_on
    c.save()
    _step(c, EventKind.ANSWERED, actor, text, outcome=outcome, late=c.answered_late)
    audit.record(
        actor,
        "complaint_answered",
        c,
        {"status": [old, c.status], "outcome": [None, outcome], "late": [None, c.answered_late]},
    )
    _tell(
        [c.owner],
        gettext_noop("Complaint %(reference)s has been answered: please accept or reject it"),
        c,
    )


# -- the owner's verdict ---------------------------------------------------------------------


@transaction.atomic
def accept_answer(owner: User, complaint: Complaint) -> None:
    _require(is_owner(owner, complaint))
    c = _lock(complaint, [S.ANSWERED], _("There is no answer to accept."))
    c.status, c.closed_at = S.ACCEPTED, timezone.now()
    c.save()
    _step(c, EventKind.ACCEPTED, owner)
    audit.record(owner, "complaint_accepted", c, {"status": [S.ANSWERED, S.ACCEPTED]})
    _tell(_bank(c), gettext_noop("The owner accepted the answer to complaint %(reference)s"), c)


@transaction.atomic
def reject_answer(owner: User, complaint: Complaint, reason: str) -> None:
    """The owner is not satisfied: the complaint reopens on the office's desk."""
    _require(is_owner(owner, complaint))
    reason = _required_text(reason, _("why you reject the answer"))
    c = _lock(complaint, [S.ANSWERED], _("There is no answer to reject."))
    c.reopen_count += 1
    c.save(update_fields=["reopen_count"])
    _step(c, EventKind.REJECTED, owner, reason)
    audit.record(
        owner, "complaint_rejected", c, {"reopen_count": [c.reopen_count - 1, c.reopen_count]}
    )
    _tell(_bank(c), gettext_noop("The owner rejected the answer to complaint %(reference)s"), c)
    _to_desk(c, DeskReason.REJECTED, owner)
    _send_causes(rejected_cause(c))


def _to_desk(c: Complaint, reason: str, actor: User | None) -> None:
    old = c.status
    c.status, c.desk_reason, c.at_office_since = S.AT_OFFICE, reason, timezone.now()
    c.save()
    _step(c, EventKind.TO_OFFICE, actor, reason=reason)
    audit.record(
        actor, "complaint_to_office", c, {"status": [old, c.status], "reason": [None, reason]}
    )
    _tell(
        office_staff(c.office),
        gettext_noop("Complaint %(reference)s is on your desk"),
        c,
    )
    _tell([c.owner], gettext_noop("Your complaint %(reference)s is now with the regulator"), c)


def sweep_overdue(now: datetime | None = None) -> int:
    """Move every complaint still unanswered after its deadline to the office's desk.

    Beat runs it; a second run (or two at once) moves nothing twice: each complaint is
    re-read under its lock and skipped when another run holds it.
    """
    today = local_day(now)
    moved = 0
    late = Complaint.objects.filter(status__in=S.awaiting_answer(), due_on__lt=today)
    for pk in late.values_list("pk", flat=True):
        with transaction.atomic():
            c = (
                Complaint.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status__in=S.awaiting_answer(), due_on__lt=today)
                .first()
            )
            if c is None:
                continue
            _to_desk(c, DeskReason.OVERDUE, None)
            _send_causes(overdue_cause(c, today))
            moved += 1
    return moved


def remind_due_soon(now: datetime | None = None) -> int:
    """Remind the institution of each unanswered complaint due within the reminder window,
    once per deadline (an extended deadline is reminded of again)."""
    today = local_day(now)
    soon = Complaint.objects.filter(
        status__in=S.awaiting_answer(),
        due_on__gte=today,
        due_on__lte=today + timedelta(days=settings.PORTAL_COMPLAINT_REMINDER_DAYS),
    ).exclude(reminded_for=F("due_on"))
    reminded = 0
    for pk in soon.values_list("pk", flat=True):
        with transaction.atomic():
            c = (
                soon.select_for_update(skip_locked=True, of=("self",))
                .select_related("institution", "branch")
                .filter(pk=pk)
                .first()
            )
            if c is None:
                continue
            c.reminded_for = c.due_on
            c.save(update_fields=["reminded_for"])
            _tell(
                _bank(c),
                gettext_noop("Complaint %(reference)s must be answered by %(due)s"),
                c,
                due=c.due_on.isoformat(),
            )
            reminded += 1
    return reminded


# -- the office -----------------------------------------------------------------------------


@transaction.atomic
def assess(actor: User, complaint: Complaint, substantive: bool, reason: str) -> None:
    """The office's view whether the complaint is substantive; it can change its mind."""
    _require(can_supervise(actor, complaint))
    reason = _required_text(reason, _("the reason"))
    c = Complaint.objects.select_for_update().get(pk=complaint.pk)
    before = c.substantive
    c.substantive, c.substantive_reason, c.substantive_at = substantive, reason, timezone.now()
    c.save()
    _step(c, EventKind.SUBSTANTIVE, actor, reason, internal=True, substantive=substantive)
    audit.record(actor, "complaint_assessed", c, {"substantive": [before, substantive]})
    if substantive and not before:
        _send_causes(substantive_cause(c.institution, c.substantive_at))


# The office takes up complaints on its desk, and answered ones the owner has left waiting.
OFFICE_HANDLES = [S.AT_OFFICE, S.MEDIATING, S.ANSWERED]


def _office_handles(
    actor: User, complaint: Complaint, note: str, status: str, kind: str, message: str
) -> Complaint:
    """Move a complaint the office handles to ``status``, with the office's note."""
    _require(can_supervise(actor, complaint))
    note = _required_text(note, _("a note"))
    c = _lock(complaint, OFFICE_HANDLES, _("Only a complaint on the office's desk can be handled."))
    old, c.status = c.status, status
    if status == S.CLOSED:
        c.closed_at = timezone.now()
    c.save()
    _step(c, kind, actor, note)
    audit.record(actor, f"complaint_{status}", c, {"status": [old, status]})
    _tell([c.owner, *_bank(c)], message, c)
    return c


@transaction.atomic
def mediate(actor: User, complaint: Complaint, note: str) -> None:
    _office_handles(
        actor,
        complaint,
        note,
        S.MEDIATING,
        EventKind.MEDIATION,
        gettext_noop("The regulator is mediating complaint %(reference)s"),
    )


@transaction.atomic
def close(actor: User, complaint: Complaint, note: str) -> None:
    _office_handles(
        actor,
        complaint,
        note,
        S.CLOSED,
        EventKind.CLOSED,
        gettext_noop("Complaint %(reference)s was closed"),
    )


@transaction.atomic
def link(actor: User, complaint: Complaint, other_reference: str, kind: str) -> ComplaintLink:
    """Mark two complaints as duplicates or related; both must be the actor's to act on."""
    mine = scoping.actionable(actor, Complaint, OFFICE_ROLE) | scoping.actionable(
        actor, Complaint, BANK_ROLE
    )
    _require(mine.filter(pk=complaint.pk).exists())
    other = mine.filter(reference=(other_reference or "").strip().upper()).first()
    if other is None:
        raise ValidationError(_("No complaint of yours has that reference number."))
    if other.pk == complaint.pk:
        raise ValidationError(_("A complaint cannot be linked to itself."))
    if ComplaintLink.objects.filter(
        Q(complaint=complaint, other=other) | Q(complaint=other, other=complaint)
    ).exists():
        raise ValidationError(_("These complaints are already linked."))
    made = ComplaintLink.objects.create(
        complaint=complaint, other=other, kind=kind, created_by=actor
    )
    for one, two in ((complaint, other), (other, complaint)):
        _step(one, EventKind.LINKED, actor, internal=True, other=two.reference, link=kind)
    audit.record(
        actor, "complaint_linked", complaint, {"link": [None, f"{kind}:{other.reference}"]}
    )
    return made


@transaction.atomic
def transfer(
    actor: User,
    complaint: Complaint,
    reason: str,
    *,
    branch: Branch | None = None,
    office: Office | None = None,
) -> None:
    """Send a misrouted complaint to the right branch (and so institution) or office.

    Its timeline and its deadline stay: the owner's time is not reset by the portal's error.
    A new institution owes the answer afresh.
    """
    _require(can_supervise(actor, complaint))
    reason = _required_text(reason, _("the reason for the transfer"))
    if (branch is None) == (office is None):
        raise ValidationError(_("Choose either a branch or an office to transfer to."))
    c = _lock(
        complaint,
        [s for s in S.values if s not in S.finished()],
        _("A finished complaint cannot be transferred."),
    )
    before = {"institution": c.institution_id, "branch": c.branch_id, "office": c.office_id}
    old_status = c.status
    if branch is not None:
        if branch.pk == c.branch_id:
            raise ValidationError(_("The complaint is already with this branch."))
        if branch.institution_id != c.institution_id:
            c.status, c.acknowledged_at = S.FILED, None
        c.branch, c.institution, c.office = branch, branch.institution, branch.office
    else:
        if office.pk == c.office_id:
            raise ValidationError(_("The complaint is already with this office."))
        c.office = office
    c.save()
    after = {"institution": c.institution_id, "branch": c.branch_id, "office": c.office_id}
    target = c.branch if branch else c.office
    _step(
        c,
        EventKind.TRANSFERRED,
        actor,
        reason,
        to_zh=target.name_zh,
        to_en=target.name_en or target.name_zh,
    )
    audit.record(
        actor,
        "complaint_transferred",
        c,
        {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        | {"status": [old_status, c.status]},
    )
    if branch is not None:
        _tell(
            _bank(c),
            gettext_noop("Complaint %(reference)s was transferred to you; answer due %(due)s"),
            c,
            due=c.due_on.isoformat(),
        )
    else:
        _tell(
            office_staff(c.office),
            gettext_noop("Complaint %(reference)s was transferred to your office"),
            c,
        )
    _tell([c.owner], gettext_noop("Your complaint %(reference)s was transferred"), c)


def waiting(user) -> list[Waiting]:
    """Complaints on the office's desk; to answer (institutions); answered, or asking for
    more, and waiting for their owner."""
    scope = scoping.scope_of(user)
    found = scoping.visible(user, Complaint)
    listed = reverse("complaint-list")
    items = []
    if scope.is_regulator:
        desk = found.filter(status__in=S.on_desk())
        items.append(
            Waiting(
                desk.count(),
                gettext_lazy("Complaints on the office's desk"),
                reverse("complaint-desk"),
            )
        )
    if scope.is_bank:
        owed = found.filter(status__in=S.awaiting_answer())
        items.append(Waiting(owed.count(), gettext_lazy("Complaints to answer"), listed))
    if scope.is_sme_owner:
        for status, label in (
            (S.ANSWERED, gettext_lazy("Answers to your complaints to confirm or reject")),
            (S.INFO_REQUESTED, gettext_lazy("Complaints asking you for more information")),
        ):
            mine = found.filter(status=status)
            items.append(Waiting(mine.count(), label, f"{listed}?status={status}"))
    return items
