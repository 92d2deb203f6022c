"""The steps of filing one return, as a task list (the GOV.UK pattern): get the template, check
a file (optional), upload it, have it signed, and have it accepted, each with where it stands.
Reads only: it is given the request's versions, which the view took through the scoping layer."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reporting.models import PENDING_STATUSES, Filing, FilingStatus

# state: (words, tag tone of portal.css's .status-tag)
STATES: dict[str, tuple[Promise, str]] = {
    "done": (pgettext_lazy("task", "Completed"), "done"),
    "todo": (pgettext_lazy("task", "To do"), "active"),
    "optional": (pgettext_lazy("task", "Optional"), ""),
    "in_progress": (pgettext_lazy("task", "In progress"), "waiting"),
    "waiting": (pgettext_lazy("task", "Awaiting review"), "waiting"),
    "problem": (pgettext_lazy("task", "Needs correcting"), "problem"),
    "blocked": (pgettext_lazy("task", "Cannot start yet"), ""),
}


@dataclass(frozen=True)
class Task:
    name: Promise
    state: str

    @property
    def words(self) -> Promise:
        return STATES[self.state][0]

    @property
    def tone(self) -> str:
        return STATES[self.state][1]


def filing_tasks(versions: list[Filing]) -> list[Task]:
    """``versions``: the request's filings, newest first."""
    filed = [f for f in versions if not f.check_only]
    latest = filed[0] if filed else None
    status = latest.status if latest is not None else None
    return [
        Task(_("Download the template"), "done" if versions else "todo"),
        Task(
            _("Check a file without filing it"),
            "done" if any(f.check_only for f in versions) else "optional",
        ),
        Task(_("Upload the return"), _upload_state(status)),
        Task(_("Sign and submit"), _sign_state(status)),
        Task(_("Accepted by the supervising office"), _review_state(status)),
    ]


def _upload_state(status: str | None) -> str:
    if status is None:
        return "todo"
    if status in PENDING_STATUSES:
        return "in_progress"
    if status in (FilingStatus.REJECTED, FilingStatus.RETURNED):
        return "problem"
    return "done"


def _sign_state(status: str | None) -> str:
    if status in (FilingStatus.VALID, FilingStatus.NEEDS_CONFIRMATION):
        return "todo"
    if status in (FilingStatus.SUBMITTED, FilingStatus.ACCEPTED):
        return "done"
    return "blocked"


REVIEW_STATES: dict[str, str] = {
    FilingStatus.ACCEPTED: "done",
    FilingStatus.SUBMITTED: "waiting",
    FilingStatus.RETURNED: "problem",
}


def _review_state(status: str | None) -> str:
    return REVIEW_STATES.get(status or "", "blocked")
