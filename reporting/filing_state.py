"""Where a filing stands for the people who act on it: whether a newer version replaced it, the
status the pages show (a GOV.UK-style tag) and the filer's next step.

Reads only; the rows come through ``portal.scoping``.
"""

from django.utils.translation import gettext_lazy as _

from portal import scoping
from reporting.models import REPLACEABLE_STATUSES, Filing, FilingStatus

SUPERSEDED = "superseded"
SUPERSEDED_LABEL = _("Superseded by a newer version")

# The filer's next step for each status, a key of templates/reporting/_next_step.html.
STEPS = {
    FilingStatus.RECEIVED: "pending",
    FilingStatus.VALIDATING: "pending",
    FilingStatus.REJECTED: "fix",
    FilingStatus.NEEDS_CONFIRMATION: "confirm",
    FilingStatus.VALID: "sign",
    FilingStatus.SUBMITTED: "wait",
    FilingStatus.ACCEPTED: "done",
    FilingStatus.RETURNED: "returned",
}


def is_replaced(filing: Filing, has_newer: bool) -> bool:
    """Whether a newer version replaced ``filing`` (``reporting.models.superseded`` in Python,
    for a filing already at hand)."""
    if filing.check_only or not has_newer:
        return False
    return filing.status in REPLACEABLE_STATUSES or (
        filing.status == FilingStatus.ACCEPTED and not filing.is_current
    )


def shown_status(filing: Filing, has_newer: bool) -> str:
    """The status a page shows: the stored one, or 'superseded'."""
    return SUPERSEDED if is_replaced(filing, has_newer) else str(filing.status)


def status_label(filing: Filing, has_newer: bool) -> str:
    if is_replaced(filing, has_newer):
        return str(SUPERSEDED_LABEL)
    return str(FilingStatus(filing.status).label)


def newest_version(user, filing: Filing) -> Filing | None:
    """The latest version of ``filing``'s request uploaded after it, if ``user`` may see one."""
    if filing.check_only or filing.request_id is None:
        return None
    return (
        scoping.visible(user, Filing)
        .filter(request_id=filing.request_id, check_only=False, version__gt=filing.version)
        .order_by("-version")
        .first()
    )


def next_step(filing: Filing, newer: Filing | None, *, can_sign: bool) -> str:
    """Which "what to do next" the filer reads. Signing steps differ for whoever may sign (an
    approver) and whoever must ask one."""
    if filing.check_only:
        return "trial"
    if is_replaced(filing, newer is not None):
        return SUPERSEDED
    step = STEPS[FilingStatus(filing.status)]
    if step in ("confirm", "sign") and not can_sign:
        return f"ask_{step}"
    return step
