"""Reads of a complaint for other capabilities, through the reader's scope."""

from portal import scoping
from supervision.complaints.models import Complaint


def parties_of(user, reference: str) -> dict[str, list[str]] | None:
    """The names and identifiers of a complaint's parties, for checking that a text written
    from it does not name them; None when the reader cannot see a complaint of that reference.

    ``names`` may be published with the parties' recorded consent; ``identifiers`` never.
    """
    c = (
        scoping.visible(user, Complaint)
        .select_related("owner", "institution", "branch")
        .filter(reference=(reference or "").strip().upper())
        .first()
    )
    if c is None:
        return None
    names = [
        c.enterprise_name,
        c.legal_representative,
        c.owner.full_name,
        c.institution.name_zh,
        c.institution.name_en,
        c.branch.name_zh,
        c.branch.name_en,
    ]
    identifiers = [c.enterprise_credit_code, c.contact_phone, c.owner.email]
    return {
        "names": [n for n in names if n and len(n) > 1],
        "identifiers": [i for i in identifiers if i],
    }
