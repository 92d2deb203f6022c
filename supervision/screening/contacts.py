"""Who reads an enterprise's contact person and phone in full: the bank it is given to, and
nobody else.

The contact of a listed enterprise is personal data (SCREENING-LIST marks both columns
``personal``). The bank the enterprise is now assigned to needs it to call the enterprise;
everyone else who sees the row reads it masked: the offices above the holding office, a bank
that was given the enterprise before and keeps its own entry in the history, and a user whose
other membership happens to be at an office. Every page and API serializer that shows a
contact goes through ``contact_for`` (or ``mask_contacts`` for a page of rows), so the answer
is the same wherever the contact appears.
"""

from collections.abc import Iterable

from portal import scoping
from supervision.screening.models import TaskEnterprise


def shows_contact(user, enterprise: TaskEnterprise) -> bool:
    """Whether ``user`` reads ``enterprise``'s contact in full: an officer of the bank it is
    assigned to now, at that institution (all its branches) or at the branch it was given to.

    Decided from the user's memberships and the enterprise's assignment, without a query of
    its own: load ``assignment`` with the rows (``select_related`` or a prefetch).
    """
    assignment = enterprise.assignment
    if assignment is None:
        return False
    scope = scoping.scope_of(user)
    if any(pk == assignment.institution_id for _role, pk in scope.institutions):
        return True
    return assignment.branch_id is not None and any(
        pk == assignment.branch_id for _role, pk in scope.branches
    )


def mask_contact(name: str) -> str:
    """A contact person's name as a reader other than the assigned bank sees it."""
    return f"{name[:1]}{'*' * max(1, len(name) - 1)}" if name else ""


def mask_phone(phone: str) -> str:
    """A phone number as a reader other than the assigned bank sees it."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 8 else "****"


def contact_for(user, enterprise: TaskEnterprise) -> tuple[str, str]:
    """``enterprise``'s (contact person, phone) as ``user`` may read them."""
    if shows_contact(user, enterprise):
        return enterprise.contact, enterprise.phone
    return mask_contact(enterprise.contact), mask_phone(enterprise.phone)


def mask_contacts(user, enterprises: Iterable[TaskEnterprise]) -> None:
    """Mask, on these loaded rows, the contacts ``user`` may not read in full (for a page;
    the rows are not saved)."""
    for enterprise in enterprises:
        enterprise.contact, enterprise.phone = contact_for(user, enterprise)
