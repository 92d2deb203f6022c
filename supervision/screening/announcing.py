"""The shares, assignments, audit events and notices of a pass-down (``cascade``), written in
bulk: a national task gives some two thousand offices a share and twenty thousand bank
branches an assignment, and one query per row (as ``delegate_by_county`` and ``auto_assign``
write their handful) would take longer than moving the five million enterprises.

The rows are those the one-at-a-time services write: a share per office with its parent, an
assignment per (assigning office, bank branch) with its SCREENING-RESULT request, one audit
event and one notice per share passed on and per assignment given. Neither audit verb is a
webhook event, so the events go in one INSERT; the requests opened are webhook events, sent
as ``open_request`` sends them.
"""

from collections import defaultdict

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_noop

from portal import audit
from portal.models import Branch, Institution, Membership, Office, Role, User
from portal.notifications import Notice, notify_all, office_staff_ids
from portal.webhooks import events as webhooks
from portal.webhooks.models import EventType
from reporting import schedule
from reporting.models import RequestSource, ReturnRequest
from supervision.screening.models import Assignment, Delegation, ScreeningTask
from supervision.screening.results import RESULT_SPEC
from supervision.screening.services import task_url

Filer = tuple[int, int | None]  # (institution, branch)


def delegations(
    user: User, task: ScreeningTask, share: Delegation, reaching: dict[Office, int]
) -> None:
    """Every office of ``reaching`` (below ``share``'s office, with the enterprises passed to
    it) gets its share of the task under its parent's, level by level, an audit event and a
    notice."""
    shares = {share.office_path: share}
    shares |= {
        d.office_path: d
        for d in Delegation.objects.filter(task=task, office__in=list(reaching)).select_related(
            "office"
        )
    }
    for depth in sorted({child.depth for child in reaching}):
        new = [
            Delegation(
                task=task,
                office=child,
                office_path=child.path,
                parent=shares[child.path[: -Office.steplen]],
                created_by=user,
            )
            for child in reaching
            if child.depth == depth and child.path not in shares
        ]
        shares |= {d.office_path: d for d in Delegation.objects.bulk_create(new)}
    audit.record_all(
        [
            audit.unsaved(
                user,
                "screening.delegated",
                task,
                {
                    "from": shares[child.path[: -Office.steplen]].office.code,
                    "to": child.code,
                    "enterprises": count,
                },
                office=child,
            )
            for child, count in reaching.items()
        ]
    )
    staff = office_staff_ids((child.pk, Role.VIEWER) for child in reaching)
    message = gettext_noop(
        "Screening task %(task)s: %(count)s enterprises delegated to your office, due %(due)s"
    )
    notify_all(
        Notice(
            staff[child.pk, Role.VIEWER],
            message,
            {"task": task.title, "count": count, "due": task.deadline.isoformat()},
            task_url(task),
            task,
        )
        for child, count in reaching.items()
    )


def assignments(
    user: User, task: ScreeningTask, counts: dict[Office, dict[Filer, int]], rule: str
) -> dict[tuple[int, Filer], Assignment]:
    """Each holding office's assignment to each bank branch it gives enterprises (made with
    its request where missing), an audit event and a notice each, for ``counts`` of
    enterprises; keyed by (office id, filer)."""
    made = {
        (a.office_id, (a.institution_id, a.branch_id)): a
        for a in Assignment.objects.filter(task=task, office__in=list(counts))
    }
    filers = {filer for given in counts.values() for filer in given}
    institutions = Institution.objects.in_bulk({i for i, _ in filers})
    branches = Branch.objects.in_bulk({b for _, b in filers if b is not None})
    new = [
        Assignment(
            task=task,
            office=office,
            office_path=office.path,
            institution=institutions[i],
            branch=branches.get(b) if b is not None else None,
            due_date=task.deadline,
            created_by=user,
        )
        for office, given in counts.items()
        for i, b in given
        if (office.pk, (i, b)) not in made
    ]
    _open_requests(task, Assignment.objects.bulk_create(new))
    made |= {(a.office_id, (a.institution_id, a.branch_id)): a for a in new}
    given = [
        (made[office.pk, f], n) for office, by_filer in counts.items() for f, n in by_filer.items()
    ]
    for assignment, _n in given:  # read below for the events' and notices' texts
        assignment.institution = institutions[assignment.institution_id]
        assignment.branch = branches.get(assignment.branch_id) if assignment.branch_id else None
        assignment.task = task
    audit.record_all(
        [
            audit.unsaved(user, "screening.assigned", a, {"enterprises": n, "rule": rule})
            for a, n in given
        ]
    )
    staff = _filer_staff({a.institution_id for a, _ in given}, {a.branch_id for a, _ in given})
    message = gettext_noop(
        "Screening task %(task)s: %(count)s enterprises assigned to you, results due %(due)s"
    )
    notify_all(
        Notice(
            staff["i", a.institution_id] | staff["b", a.branch_id],
            message,
            {"task": task.title, "count": n, "due": task.deadline.isoformat()},
            reverse("request-detail", args=[a.request_id]),
            a,
        )
        for a, n in given
    )
    return made


def _open_requests(task: ScreeningTask, new: list[Assignment]) -> None:
    """The SCREENING-RESULT request of each new assignment, as ``schedule.open_request``
    opens it (with its webhook event), in one INSERT."""
    requests = ReturnRequest.objects.bulk_create(
        ReturnRequest(
            spec_code=RESULT_SPEC.code,
            period=task.period,
            institution=a.institution,
            branch=a.branch,
            source_ref=a.source_ref,
            spec_version=schedule._newest_version(RESULT_SPEC.code),
            office=a.office,
            due_date=task.deadline,
            source=RequestSource.SCREENING,
        )
        for a in new
    )
    for assignment, request in zip(new, requests, strict=True):
        assignment.request = request
    Assignment.objects.bulk_update(new, ["request"], batch_size=2_000)
    webhooks.emit_each(EventType.REQUEST_OPENED, requests)


def _filer_staff(institutions: set[int], branches: set[int | None]) -> dict:
    """``institution_staff`` for many filers at once: "i" and an institution id -> the
    active people of its own memberships, "b" and a branch id -> those of the branch's."""
    staff: dict[tuple[str, int], set[int]] = defaultdict(set)
    for institution, branch, user in Membership.objects.filter(
        Q(institution_id__in=institutions) | Q(branch_id__in=branches - {None}),
        user__is_active=True,
    ).values_list("institution_id", "branch_id", "user_id"):
        if institution is not None:
            staff["i", institution].add(user)
        if branch is not None:
            staff["b", branch].add(user)
    return staff
