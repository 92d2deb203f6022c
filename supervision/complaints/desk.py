"""The supervising office's verbs on a complaint (one service function each): its view
whether the complaint is substantive, mediating and closing what is on its desk, linking
duplicates or related complaints, and transferring a misrouted one.

Like the parties' verbs (``supervision.complaints.services``), each locks the complaint,
checks who may act, writes the change, a timeline step and the audit event in one
transaction, and tells the parties.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal import audit, scoping
from portal.models import Branch, Office, User
from portal.notifications import office_staff
from supervision.complaints.causes import substantive_cause
from supervision.complaints.models import Complaint, ComplaintLink, EventKind
from supervision.complaints.services import (
    BANK_ROLE,
    OFFICE_ROLE,
    S,
    bank_staff,
    can_supervise,
    lock_complaint,
    record_step,
    require,
    required_text,
    send_causes,
    tell,
)


@transaction.atomic(durable=True)
def assess(actor: User, complaint: Complaint, substantive: bool, reason: str) -> None:
    """The office's view whether the complaint is substantive; it can change its mind."""
    require(can_supervise(actor, complaint))
    reason = required_text(reason, _("the reason"))
    c = Complaint.objects.select_for_update().get(pk=complaint.pk)
    before = c.substantive
    c.substantive, c.substantive_reason, c.substantive_at = substantive, reason, timezone.now()
    c.save()
    record_step(c, EventKind.SUBSTANTIVE, actor, reason, internal=True, substantive=substantive)
    audit.record(actor, "complaint_assessed", c, {"substantive": [before, substantive]})
    if substantive and not before:
        send_causes(substantive_cause(c.institution, c.substantive_at))


# The office takes up complaints on its desk, and answered ones the owner has left waiting.
OFFICE_HANDLES = [S.AT_OFFICE, S.MEDIATING, S.ANSWERED]


def _office_handles(
    actor: User, complaint: Complaint, note: str, status: str, kind: str, message: str
) -> Complaint:
    """Move a complaint the office handles to ``status``, with the office's note."""
    require(can_supervise(actor, complaint))
    note = required_text(note, _("a note"))
    c = lock_complaint(
        complaint, OFFICE_HANDLES, _("Only a complaint on the office's desk can be handled.")
    )
    old, c.status = c.status, status
    if status == S.CLOSED:
        c.closed_at = timezone.now()
    c.save()
    record_step(c, kind, actor, note)
    audit.record(actor, f"complaint_{status}", c, {"status": [old, status]})
    tell([c.owner, *bank_staff(c)], message, c)
    return c


@transaction.atomic(durable=True)
def mediate(actor: User, complaint: Complaint, note: str) -> None:
    _office_handles(
        actor,
        complaint,
        note,
        S.MEDIATING,
        EventKind.MEDIATION,
        gettext_noop("The regulator is mediating complaint %(reference)s"),
    )


@transaction.atomic(durable=True)
def close(actor: User, complaint: Complaint, note: str) -> None:
    _office_handles(
        actor,
        complaint,
        note,
        S.CLOSED,
        EventKind.CLOSED,
        gettext_noop("Complaint %(reference)s was closed"),
    )


@transaction.atomic(durable=True)
def link(actor: User, complaint: Complaint, other_reference: str, kind: str) -> ComplaintLink:
    """Mark two complaints as duplicates or related; both must be the actor's to act on."""
    mine = scoping.actionable(actor, Complaint, OFFICE_ROLE) | scoping.actionable(
        actor, Complaint, BANK_ROLE
    )
    require(mine.filter(pk=complaint.pk).exists())
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
        record_step(one, EventKind.LINKED, actor, internal=True, other=two.reference, link=kind)
    audit.record(
        actor, "complaint_linked", complaint, {"link": [None, f"{kind}:{other.reference}"]}
    )
    return made


@transaction.atomic(durable=True)
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
    require(can_supervise(actor, complaint))
    reason = required_text(reason, _("the reason for the transfer"))
    if (branch is None) == (office is None):
        raise ValidationError(_("Choose either a branch or an office to transfer to."))
    c = lock_complaint(
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
        assert office is not None, "either a branch or an office, checked above"
        if office.pk == c.office_id:
            raise ValidationError(_("The complaint is already with this office."))
        c.office = office
    c.save()
    after = {"institution": c.institution_id, "branch": c.branch_id, "office": c.office_id}
    target = c.branch if branch else c.office
    record_step(
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
        tell(
            bank_staff(c),
            gettext_noop("Complaint %(reference)s was transferred to you; answer due %(due)s"),
            c,
            due=c.due_on.isoformat(),
        )
    else:
        tell(
            office_staff(c.office),
            gettext_noop("Complaint %(reference)s was transferred to your office"),
            c,
        )
    tell([c.owner], gettext_noop("Your complaint %(reference)s was transferred"), c)
