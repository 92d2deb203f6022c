"""Filing completeness and timeliness of an office's subtree, from reporting's return requests
and filings: counts per child office and return, who is missing, the status board of filer x
return x quarter, and reminding the filers a regulator picks.

A request belongs to the office that supervises its filer (the branch's office for a branch,
else the institution's). The counts are one grouped query whatever the size of the subtree.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, NamedTuple, TypedDict

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from portal import audit, scoping
from portal.models import AuditEvent, Office, Role
from portal.notifications import institution_staff, notify
from reporting import periods, schedule
from reporting.models import Filing, FilingStatus, ReturnRequest
from reporting.views.requests import with_filing_state

if TYPE_CHECKING:  # for annotations only: at run time it takes one argument, not two
    from django_stubs_ext import WithAnnotations


class CellState:
    """What a board cell says about one request."""

    NOT_FILED = "not_filed"
    VALIDATING = "validating"
    INVALID = "invalid"
    TO_SIGN = "to_sign"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    NEWER = "newer"  # accepted, and a newer version came in since

    LABELS = {
        NOT_FILED: _("not filed"),
        VALIDATING: _("validating"),
        INVALID: _("invalid"),
        TO_SIGN: _("awaiting signature"),
        SUBMITTED: _("submitted"),
        RETURNED: _("returned"),
        ACCEPTED: _("accepted"),
        NEWER: _("accepted; newer version since"),
    }
    # States a reminder makes sense for: the filer still owes a return.
    OWED = (NOT_FILED, INVALID, TO_SIGN, RETURNED, VALIDATING)

    # Looked up by the status a query gives: a plain str, equal to its FilingStatus.
    BY_STATUS: dict[str, str] = {
        FilingStatus.RECEIVED: VALIDATING,
        FilingStatus.VALIDATING: VALIDATING,
        FilingStatus.REJECTED: INVALID,
        FilingStatus.NEEDS_CONFIRMATION: TO_SIGN,
        FilingStatus.VALID: TO_SIGN,
        FilingStatus.SUBMITTED: SUBMITTED,
        FilingStatus.RETURNED: RETURNED,
        FilingStatus.ACCEPTED: ACCEPTED,
    }


def filer_path() -> Coalesce:
    """The path of the office supervising a request's filer."""
    return Coalesce("branch__office__path", "institution__office__path")


def subtree_requests(user, office: Office) -> QuerySet:
    """The requests the user may see whose filer is supervised in ``office``'s subtree."""
    return (
        scoping.visible(user, ReturnRequest)
        .annotate(filer_path=filer_path())
        .filter(filer_path__startswith=office.path)
    )


def with_state(requests: QuerySet) -> QuerySet:
    """Requests annotated as reporting's request list does, plus: received (any upload),
    accepted (a version in force) and that version's number."""
    uploads = Filing.objects.filter(request=OuterRef("pk"), check_only=False)
    current = uploads.filter(is_current=True)
    return with_filing_state(requests).annotate(
        is_received=Exists(uploads),
        is_accepted=Exists(current),
        current_version=Subquery(current.values("version")[:1]),
    )


class State(TypedDict):
    """The annotations of ``with_state`` (and ``with_filing_state``) that ``cell_state`` reads."""

    latest_status: str | None
    latest_version: int | None
    is_accepted: bool
    current_version: int | None


def missing_q() -> Q:
    """Not filed (nothing signed) and past its due date."""
    return Q(is_filed=False, due_date__lt=timezone.localdate())


@dataclass
class Line:
    """Completeness of one child office (or the office's own filers) for one return."""

    office: Office | None
    spec_code: str
    expected: int
    received: int
    accepted: int
    late: int
    missing: int
    directly: bool = False

    @property
    def accepted_share(self) -> int | None:
        return round(self.accepted * 100 / self.expected) if self.expected else None


@dataclass
class Completeness:
    office: Office
    period: str
    lines: list[Line] = field(default_factory=list)
    totals: list[Line] = field(default_factory=list)  # one per return
    missing: list[ReturnRequest] = field(default_factory=list)
    missing_count: int = 0


MISSING_LISTED = 50


def completeness(user, office: Office, period: str) -> Completeness:
    """Per child office and return: expected, received, accepted, late and missing requests
    of the quarter; and the first of the missing filers. Three queries."""
    requests = with_state(subtree_requests(user, office).filter(period=period))
    unit = Substr("filer_path", 1, len(office.path) + Office.steplen)
    counts = (
        requests.annotate(unit=unit)
        .values("unit", "spec_code")
        .annotate(
            expected=Count("pk"),
            received=Count("pk", filter=Q(is_received=True)),
            accepted=Count("pk", filter=Q(is_accepted=True)),
            late=Count("pk", filter=Q(is_late=True)),
            missing=Count("pk", filter=missing_q()),
        )
        .order_by("unit", "spec_code")
    )
    counts = list(counts)
    offices = {o.path: o for o in Office.objects.filter(path__in={c["unit"] for c in counts})}
    result = Completeness(office, period)
    totals: dict[str, Line] = {}
    for row in counts:
        unit_path = row.pop("unit")
        line = Line(offices.get(unit_path), directly=unit_path == office.path, **row)
        result.lines.append(line)
        total = totals.setdefault(line.spec_code, Line(office, line.spec_code, 0, 0, 0, 0, 0))
        for name in ("expected", "received", "accepted", "late", "missing"):
            setattr(total, name, getattr(total, name) + getattr(line, name))
    result.totals = [totals[code] for code in sorted(totals)]
    result.missing_count = sum(t.missing for t in result.totals)
    missing = requests.filter(missing_q()).select_related(
        "institution__office", "branch__office", "branch__institution"
    )
    result.missing = list(missing.order_by("filer_path", "spec_code", "pk")[:MISSING_LISTED])
    return result


# -- the status board -----------------------------------------------------------------------


def cell_state(return_request: "WithAnnotations[ReturnRequest, State]") -> str:
    """The board's word for a request annotated by ``with_state``."""
    if return_request.latest_status is None:
        return CellState.NOT_FILED
    if (
        return_request.is_accepted
        and return_request.latest_version != return_request.current_version
    ):
        return CellState.NEWER
    if return_request.is_accepted:
        return CellState.ACCEPTED
    return CellState.BY_STATUS[return_request.latest_status]


def board_quarters(period: str, count: int = 4) -> list[str]:
    """The quarter and the ones before it, newest first."""
    found = [period]
    while len(found) < count:
        found.append(periods.previous_quarter(found[-1]))
    return found


@dataclass
class BoardRow:
    """One filer's requests, by (return, quarter)."""

    key: tuple[int, int | None]  # (institution id, branch id)
    filer: str
    office: Office
    cells: dict[tuple[str, str], ReturnRequest] = field(default_factory=dict)
    line: list[ReturnRequest | None] = field(default_factory=list)  # in the board's columns


def board(
    user, office: Office, quarters: list[str], spec_code: str = "", state: str = ""
) -> QuerySet:
    """The requests of the board, annotated with their state; filter by return and state."""
    requests = with_state(subtree_requests(user, office).filter(period__in=quarters))
    if spec_code:
        requests = requests.filter(spec_code=spec_code)
    if state:
        requests = requests.filter(_state_q(state))
    return requests


MISSING = "missing"  # the board's filter for requests not filed past their due date


def _state_q(state: str) -> Q:
    newer = Q(is_accepted=True) & ~Q(latest_version=F("current_version"))
    statuses = [s for s, cell in CellState.BY_STATUS.items() if cell == state]
    return {
        MISSING: missing_q(),
        CellState.NOT_FILED: Q(latest_status__isnull=True),
        CellState.NEWER: newer,
        CellState.ACCEPTED: Q(is_accepted=True) & ~newer,
    }.get(state, Q(is_accepted=False, latest_status__in=statuses))


def board_rows(
    requests: QuerySet,
    filer_page: Iterable[tuple[int, int | None]],
    columns: list[tuple[str, str]],
) -> list[BoardRow]:
    """The board's rows for one page of filers (institution id, branch id), each with its
    requests in the order of ``columns`` (return, quarter)."""
    page = list(filer_page)
    if not page:
        return []
    wanted = Q()
    for institution_id, branch_id in page:
        wanted |= Q(institution_id=institution_id, branch_id=branch_id)
    found = requests.filter(wanted).select_related(
        "institution__office", "branch__office", "branch__institution"
    )
    rows: dict[tuple[int, int | None], BoardRow] = {}
    for return_request in found:
        key = (return_request.institution_id, return_request.branch_id)
        if key not in rows:
            rows[key] = BoardRow(key, return_request.filer_name, return_request.audit_office)
        return_request.state = cell_state(return_request)
        return_request.state_label = CellState.LABELS[return_request.state]
        return_request.owed = return_request.state in CellState.OWED
        rows[key].cells[(return_request.spec_code, return_request.period)] = return_request
    for row in rows.values():
        row.line = [row.cells.get(column) for column in columns]
    return [rows[key] for key in page if key in rows]


def filers(requests: QuerySet) -> QuerySet:
    """The distinct filers of the requests, in the order of their offices and names."""
    return (
        requests.values_list("institution_id", "branch_id")
        .annotate(n=Count("pk"))
        .order_by("filer_path", "institution__name_zh", "branch__name_zh", "institution_id")
        .values_list("institution_id", "branch_id")
    )


# -- reminding filers -----------------------------------------------------------------------


REMINDER = gettext_noop(
    "Reminder from your supervising office: your %(spec)s return for %(period)s, due on "
    "%(due)s, is still owed."
)


def _owed_in_reach(user, requests: QuerySet) -> list["WithAnnotations[ReturnRequest, State]"]:
    """Those of ``requests`` still owed (not filed, invalid, unsigned or returned) that
    ``user`` reviews for their subtree; refused when the user reviews none of them."""
    allowed = scoping.actionable(user, ReturnRequest, Role.REVIEWER).filter(
        pk__in=requests.values("pk")
    )
    if not allowed.exists():
        raise PermissionDenied
    return [
        return_request
        for return_request in with_state(allowed.select_related("institution", "branch"))
        if cell_state(return_request) in CellState.OWED
    ]


def reopen_owed(user, requests: QuerySet, until: date, reason: str) -> int:
    """Reopen, until ``until``, each closed period among ``requests`` whose return is still
    owed (reporting's ``request_reopen``: audited, the filer told); returns how many. A
    reviewer or head of the supervising subtree may; those outside their reach are left."""
    owed = [
        return_request
        for return_request in _owed_in_reach(user, requests)
        if return_request.closed_at
    ]
    # Each in its own transaction: request_reopen is a durable service, like the decisions of
    # reporting's review_many. What could refuse one (the reason, the date) refuses the first
    # alike, so a refusal leaves nothing reopened.
    for return_request in owed:
        schedule.request_reopen(user, return_request, until, reason)
    return len(owed)


# A filer reminded of a return is not reminded of it again so soon, however often the board's
# button is pressed (by the same regulator or by another office up the tree).
REMINDER_GAP = timedelta(hours=20)


class Reminded(NamedTuple):
    sent: int  # returns whose filers were reminded
    recent: int  # returns still owed whose filers were reminded within REMINDER_GAP


def remind_filers(user, requests: QuerySet) -> Reminded:
    """Remind the officers of each filer that still owes one of ``requests`` (not filed,
    invalid, unsigned or returned) and was not reminded of it lately. A reviewer or head of the
    supervising subtree may; the requests outside their reach are left alone."""
    owed = _owed_in_reach(user, requests)
    recently = set(
        AuditEvent.objects.filter(
            verb="request.reminded",
            object_type=ReturnRequest._meta.label,
            object_id__in=[str(return_request.pk) for return_request in owed],
            at__gte=timezone.now() - REMINDER_GAP,
        ).values_list("object_id", flat=True)
    )
    due = [return_request for return_request in owed if str(return_request.pk) not in recently]
    with transaction.atomic(durable=True):
        for return_request in due:
            notify(
                institution_staff(return_request.institution, return_request.branch),
                message=REMINDER,
                params={
                    "spec": return_request.spec_code,
                    "period": return_request.period,
                    "due": return_request.due_date.isoformat(),
                },
                url=reverse("request-detail", kwargs={"pk": return_request.pk}),
                target=return_request,
            )
            audit.record(
                user, "request.reminded", return_request, {"state": cell_state(return_request)}
            )
    return Reminded(len(due), len(owed) - len(due))
