"""The life of a complaint, one service function per verb: the owner's and the institution's
here, the supervising office's in ``supervision.complaints.desk``, and the deadlines beat
sweeps in ``supervision.complaints.deadlines`` (both use the steps shared below: who may act,
the lock, the timeline step, telling the parties).

Each verb locks the complaint, checks who may act and from which status, writes the change, a
timeline step and the audit event in one transaction, and tells the parties (their inbox rows
commit with the change; emails and escalation's signal go out on commit). A refusal is a
``PermissionDenied`` (the wrong party) or a ``ValidationError`` with a message for people.
"""

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from portal import audit, scoping
from portal.identifiers import check_credit_code
from portal.models import Branch, Division, Role, User
from portal.notifications import institution_staff, notify, office_staff
from portal.stored_files import atomic_with_files
from portal.worklist import Waiting
from supervision import causes
from supervision.complaints.causes import rejected_cause
from supervision.complaints.clock import add_days, due_date, local_day
from supervision.complaints.files import check_uploads, store_uploads
from supervision.complaints.models import (
    Complaint,
    ComplaintEvent,
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


def lock_complaint(complaint: Complaint, allowed: Iterable[str], refusal: str) -> Complaint:
    """The complaint, locked and fresh; refused unless its status is among ``allowed``."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.status not in allowed:
        raise ValidationError(refusal)
    return locked


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def required_text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(_("Please give %(what)s.") % {"what": what})
    return value


def record_step(
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


def bank_staff(complaint: Complaint):
    return institution_staff(complaint.institution, complaint.branch)


def tell(recipients, message: str, complaint: Complaint, **params) -> None:
    notify(
        recipients,
        message=message,
        params={"reference": complaint.reference, **params},
        url=complaint_url(complaint),
        target=complaint,
    )


def send_causes(*found) -> None:
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
    attachments: Sequence[UploadedFile] = (),
) -> Complaint:
    """An SME owner's complaint against ``branch``; it reaches the institution at once."""
    require(scoping.scope_of(owner).is_sme_owner)
    code = check_credit_code(enterprise_credit_code)
    if not code.ok:
        raise ValidationError(
            _("The enterprise's credit code is not valid: %(error)s") % {"error": code.message}
        )
    if not branch.is_active or not branch.institution.is_active:
        raise ValidationError(_("This branch no longer takes complaints."))
    check_uploads(attachments)
    with atomic_with_files(durable=True):
        complaint = Complaint.objects.create(
            owner=owner,
            branch=branch,
            institution=branch.institution,
            office=branch.office,
            county=county,
            category=category,
            enterprise_name=required_text(enterprise_name, _("the enterprise's name")),
            enterprise_credit_code=code.value,
            legal_representative=required_text(legal_representative, _("the legal representative")),
            address=required_text(address, _("the address")),
            contact_phone=required_text(contact_phone, _("a contact phone")),
            description=required_text(description, _("what happened")),
            wish=required_text(wish, _("what you ask for")),
            due_on=due_date(local_day(), Complexity.SIMPLE),
        )
        complaint.reference = f"TS{local_day():%Y%m%d}{complaint.pk:06d}"
        complaint.save(update_fields=["reference"])
        event = record_step(complaint, EventKind.FILED, owner)
        store_uploads(complaint, event, attachments, owner)
        audit.record(owner, "complaint_filed", complaint, {"status": [None, S.FILED]})
        tell(
            bank_staff(complaint),
            gettext_noop("Complaint %(reference)s was filed against you; answer due %(due)s"),
            complaint,
            due=complaint.due_on.isoformat(),
        )
        tell([owner], gettext_noop("Your complaint %(reference)s was received"), complaint)
    return complaint


# -- the institution answers ---------------------------------------------------------------


@transaction.atomic(durable=True)
def acknowledge(actor: User, complaint: Complaint, complexity: str = Complexity.SIMPLE) -> None:
    """The institution takes the complaint on; a complex one gets the longer limit."""
    require(can_answer(actor, complaint))
    if complexity not in Complexity.values:
        raise ValidationError(_("Choose simple or complex."))
    c = lock_complaint(complaint, [S.FILED], _("Only a newly filed complaint can be acknowledged."))
    before = c.due_on
    c.status, c.complexity, c.acknowledged_at = S.ACKNOWLEDGED, complexity, timezone.now()
    c.due_on = due_date(local_day(c.filed_at), complexity, c.extended)
    c.save()
    record_step(c, EventKind.ACKNOWLEDGED, actor, complexity=complexity, due=c.due_on.isoformat())
    audit.record(
        actor,
        "complaint_acknowledged",
        c,
        {"status": [S.FILED, S.ACKNOWLEDGED], "due_on": [str(before), str(c.due_on)]},
    )
    tell(
        [c.owner],
        gettext_noop("Complaint %(reference)s was acknowledged; answer due %(due)s"),
        c,
        due=c.due_on.isoformat(),
    )


@transaction.atomic(durable=True)
def request_info(actor: User, complaint: Complaint, question: str) -> None:
    """Ask the owner for something the institution does not already hold; the clock runs."""
    require(can_answer(actor, complaint))
    question = required_text(question, _("the question"))
    c = lock_complaint(
        complaint,
        [S.FILED, S.ACKNOWLEDGED],
        _("More information can be asked only before the answer."),
    )
    old, c.status = c.status, S.INFO_REQUESTED
    c.acknowledged_at = c.acknowledged_at or timezone.now()
    c.save()
    record_step(c, EventKind.INFO_REQUESTED, actor, question)
    audit.record(actor, "complaint_info_requested", c, {"status": [old, c.status]})
    tell(
        [c.owner],
        gettext_noop("The institution asks for more information on complaint %(reference)s"),
        c,
    )


def provide_info(
    owner: User, complaint: Complaint, text: str, attachments: Sequence[UploadedFile] = ()
) -> None:
    """The owner's reply to the institution's question."""
    require(is_owner(owner, complaint))
    text = required_text(text, _("the information asked for"))
    check_uploads(attachments)
    with atomic_with_files(durable=True):
        c = lock_complaint(complaint, [S.INFO_REQUESTED], _("No information was asked for."))
        c.status = S.ACKNOWLEDGED
        c.save()
        event = record_step(c, EventKind.INFO_GIVEN, owner, text)
        store_uploads(c, event, attachments, owner)
        audit.record(owner, "complaint_info_given", c, {"status": [S.INFO_REQUESTED, c.status]})
        tell(
            bank_staff(c),
            gettext_noop("The owner gave more information on complaint %(reference)s"),
            c,
        )


@transaction.atomic(durable=True)
def extend(actor: User, complaint: Complaint, reason: str) -> None:
    """One extension, approved inside the institution, before the deadline passes."""
    require(can_answer(actor, complaint))
    reason = required_text(reason, _("the reason for the extension"))
    c = lock_complaint(
        complaint, S.awaiting_answer(), _("Only an unanswered complaint can be extended.")
    )
    if c.extended:
        raise ValidationError(_("The deadline has already been extended once."))
    if local_day() > c.due_on:
        raise ValidationError(_("The deadline has passed; it can no longer be extended."))
    before = c.due_on
    c.extended = True
    c.due_on = due_date(local_day(c.filed_at), c.complexity, extended=True)
    c.save()
    record_step(c, EventKind.EXTENDED, actor, reason, due=c.due_on.isoformat())
    audit.record(actor, "complaint_extended", c, {"due_on": [str(before), str(c.due_on)]})
    tell(
        [c.owner],
        gettext_noop("The deadline for complaint %(reference)s was extended to %(due)s"),
        c,
        due=c.due_on.isoformat(),
    )


@transaction.atomic(durable=True)
def answer(actor: User, complaint: Complaint, outcome: str, text: str) -> None:
    """The institution's answer with its outcome; one after the deadline is marked untimely."""
    require(can_answer(actor, complaint))
    if outcome not in Outcome.values:
        raise ValidationError(_("Choose an outcome from the list."))
    text = required_text(text, _("the answer"))
    c = lock_complaint(
        complaint,
        [*S.awaiting_answer(), S.AT_OFFICE, S.MEDIATING],
        _("This complaint is not waiting for an answer."),
    )
    old, now = c.status, timezone.now()
    c.status, c.outcome, c.answer, c.answered_at = S.ANSWERED, outcome, text, now
    c.acknowledged_at = c.acknowledged_at or now
    # The owner's window opens; an answer from the desk takes it off the office's clock.
    c.feedback_due_on = add_days(local_day(now), settings.PORTAL_COMPLAINT_FEEDBACK_DAYS)
    c.desk_due_on = None
    if c.first_answered_at is None:
        c.first_answered_at = now
        c.answered_late = local_day(now) > c.due_on
    c.save()
    record_step(c, EventKind.ANSWERED, actor, text, outcome=outcome, late=c.answered_late)
    audit.record(
        actor,
        "complaint_answered",
        c,
        {"status": [old, c.status], "outcome": [None, outcome], "late": [None, c.answered_late]},
    )
    tell(
        [c.owner],
        gettext_noop(
            "Complaint %(reference)s has been answered: please accept or reject it by %(due)s"
        ),
        c,
        due=c.feedback_due_on.isoformat(),
    )


# -- the owner's verdict ---------------------------------------------------------------------


@transaction.atomic(durable=True)
def accept_answer(owner: User, complaint: Complaint) -> None:
    require(is_owner(owner, complaint))
    c = lock_complaint(complaint, [S.ANSWERED], _("There is no answer to accept."))
    c.status, c.closed_at = S.ACCEPTED, timezone.now()
    c.save()
    record_step(c, EventKind.ACCEPTED, owner)
    audit.record(owner, "complaint_accepted", c, {"status": [S.ANSWERED, S.ACCEPTED]})
    tell(bank_staff(c), gettext_noop("The owner accepted the answer to complaint %(reference)s"), c)


@transaction.atomic(durable=True)
def reject_answer(owner: User, complaint: Complaint, reason: str) -> None:
    """The owner is not satisfied: the complaint reopens on the office's desk."""
    require(is_owner(owner, complaint))
    reason = required_text(reason, _("why you reject the answer"))
    c = lock_complaint(complaint, [S.ANSWERED], _("There is no answer to reject."))
    c.reopen_count += 1
    c.save(update_fields=["reopen_count"])
    record_step(c, EventKind.REJECTED, owner, reason)
    audit.record(
        owner, "complaint_rejected", c, {"reopen_count": [c.reopen_count - 1, c.reopen_count]}
    )
    tell(bank_staff(c), gettext_noop("The owner rejected the answer to complaint %(reference)s"), c)
    move_to_desk(c, DeskReason.REJECTED, owner)
    send_causes(rejected_cause(c))


def move_to_desk(c: Complaint, reason: str, actor: User | None) -> None:
    old = c.status
    c.status, c.desk_reason, c.at_office_since = S.AT_OFFICE, reason, timezone.now()
    c.desk_due_on = add_days(local_day(), settings.PORTAL_COMPLAINT_DESK_DAYS)
    c.save()
    record_step(c, EventKind.TO_OFFICE, actor, reason=reason, due=c.desk_due_on.isoformat())
    audit.record(
        actor, "complaint_to_office", c, {"status": [old, c.status], "reason": [None, reason]}
    )
    tell(
        office_staff(c.office),
        gettext_noop("Complaint %(reference)s is on your desk"),
        c,
    )
    tell([c.owner], gettext_noop("Your complaint %(reference)s is now with the regulator"), c)


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
