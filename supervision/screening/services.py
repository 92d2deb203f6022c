"""Enterprise screening tasks, one service per verb: create a task from its enterprise list
(``supervision.screening.lists``), and delegate part of it to child offices. Assigning the
enterprises to banks is ``supervision.screening.assignment``; the banks' answers are
``supervision.screening.results``.

Each service runs in one transaction, checks the actor's right through ``portal.scoping``,
writes the audit trail and tells the people concerned. Bulk work is done in SQL (one UPDATE
per office), so that a task of 200,000 enterprises moves in seconds.
"""

import tempfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal import audit, scoping
from portal.models import Division, Office, Role, User
from portal.notifications import notify, office_staff
from supervision.screening.lists import LIST_SPEC, read_list, store_list
from supervision.screening.models import Delegation, KeyArea, ScreeningTask, TaskEnterprise

# -- tasks ---------------------------------------------------------------------------------


def require_office(user, office: Office, role: str = Role.REVIEWER) -> None:
    if not scoping.may_act(user, office, role):
        raise PermissionDenied


def task_url(task: ScreeningTask) -> str:
    return reverse("screening-task", args=[task.pk])


def _check_task(title: str, deadline: date, key_areas: Iterable[str]) -> None:
    if not title.strip():
        raise ValidationError(_("Give the task a title."))
    if deadline < timezone.localdate():
        raise ValidationError(_("The deadline has passed already."))
    unknown = sorted(set(key_areas) - set(KeyArea.values))
    if unknown:
        raise ValidationError(_("Unknown key areas: %(areas)s") % {"areas": ", ".join(unknown)})


def _new_task(user, office: Office, title: str, deadline: date, purpose: str, key_areas):
    task = ScreeningTask.objects.create(
        title=title.strip(),
        purpose=purpose.strip(),
        key_areas=list(key_areas),
        deadline=deadline,
        office=office,
        created_by=user,
    )
    Delegation.objects.create(task=task, office=office, office_path=office.path, created_by=user)
    return task


def task_create(
    user: User,
    office: Office,
    *,
    title: str,
    deadline: date,
    enterprises: pl.DataFrame,
    purpose: str = "",
    key_areas: Iterable[str] = (),
) -> ScreeningTask:
    """A task of ``office`` with its checked enterprise list (``read_list``), all held by the
    office until it delegates or assigns them."""
    require_office(user, office)
    _check_task(title, deadline, key_areas)
    with transaction.atomic(durable=True):
        task = _new_task(user, office, title, deadline, purpose, key_areas)
        store_list(user, task, enterprises)
    return task


def task_open(
    user: User,
    office: Office,
    *,
    title: str,
    deadline: date,
    workbook: File,
    purpose: str = "",
    key_areas: Iterable[str] = (),
) -> ScreeningTask:
    """A task whose list workbook is too large to read in a page: stored with the task, and
    read by a worker (``load_list``); the task has no enterprises until then."""
    require_office(user, office)
    _check_task(title, deadline, key_areas)
    with transaction.atomic(durable=True):
        task = _new_task(user, office, title, deadline, purpose, key_areas)
        task.list_file.save(f"{LIST_SPEC.code}-{task.pk}.xlsx", workbook, save=True)
    return task


def load_list(user: User, task: ScreeningTask) -> int:
    """Read the stored list of a task opened with ``task_open``; all or nothing."""
    if task.enterprises.exists():
        return task.enterprise_count
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "list.xlsx"
        with task.list_file.open("rb") as source, path.open("wb") as copy:
            for chunk in source.chunks():
                copy.write(chunk)
        enterprises = read_list(path)
    with transaction.atomic(durable=True):
        store_list(user, task, enterprises)
    return task.enterprise_count


# -- delegation ----------------------------------------------------------------------------


def office_share(task: ScreeningTask, office: Office) -> Delegation:
    """The office's share of the task (its delegation); refused when it holds none."""
    share = Delegation.objects.filter(task=task, office=office).first()
    if share is None:
        raise ValidationError(_("This office holds no part of the task."))
    return share


def held(task: ScreeningTask, office: Office) -> QuerySet:
    """The enterprises ``office`` holds itself and has not given to a bank."""
    return TaskEnterprise.objects.filter(
        task=task, holder_path=office.path, assignment__isnull=True
    )


def _covered_counties(office: Office) -> QuerySet:
    """The division codes of ``office``'s subtree (its own and its offices')."""
    return Division.objects.filter(office__path__startswith=office.path).values("code")


def selected(qs: QuerySet, counties: Iterable[str] | None, credit_codes: Iterable[str] | None):
    if counties:
        qs = qs.filter(county__in=list(counties))
    if credit_codes:
        qs = qs.filter(credit_code__in=[c.strip().upper() for c in credit_codes])
    return qs


def delegate(
    user: User,
    task: ScreeningTask,
    office: Office,
    child: Office,
    *,
    counties: Iterable[str] | None = None,
    credit_codes: Iterable[str] | None = None,
) -> int:
    """Give ``child`` (a child office) the enterprises ``office`` holds in the chosen counties
    or with the chosen codes (all it holds in the child's area when neither is given)."""
    require_office(user, office)
    if Office.objects.get_parent(child) != office:
        raise ValidationError(_("A task is delegated to a child office only."))
    with transaction.atomic(durable=True):
        share = office_share(task, office)
        moving = selected(held(task, office), counties, credit_codes)
        if not counties and not credit_codes:
            moving = moving.filter(county__in=_covered_counties(child))
        moved = _move(user, task, share, child, moving)
    return moved


def delegate_by_county(user: User, task: ScreeningTask, office: Office) -> dict[Office, int]:
    """Give each child office the enterprises ``office`` holds in the counties it covers."""
    require_office(user, office)
    moved = {}
    with transaction.atomic(durable=True):
        share = office_share(task, office)
        if connection.vendor == "postgresql":
            return _delegate_by_county_in_sql(user, task, share, office)
        for child in Office.objects.get_children(office):
            count = _move(
                user,
                task,
                share,
                child,
                held(task, office).filter(county__in=_covered_counties(child)),
            )
            if count:
                moved[child] = count
    return moved


def _delegate_by_county_in_sql(
    user, task: ScreeningTask, share: Delegation, office: Office
) -> dict[Office, int]:
    """``delegate_by_county`` in one UPDATE for every child at once: each enterprise goes to
    the child whose subtree holds its county's office (the child's path is that office's path
    cut at the child's depth), rather than one UPDATE per child."""
    enterprises, divisions = TaskEnterprise._meta.db_table, Division._meta.db_table
    offices, width = Office._meta.db_table, len(office.path) + Office.steplen
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH moved AS (
                UPDATE {enterprises} AS e SET holder_id = c.id, holder_path = c.path
                FROM {divisions} d
                JOIN {offices} o ON o.id = d.office_id
                JOIN {offices} c ON c.path = substr(o.path, 1, %s) AND c.depth = %s
                WHERE e.task_id = %s AND e.holder_path = %s AND e.assignment_id IS NULL
                  AND e.county = d.code AND c.path LIKE %s
                RETURNING c.id AS child
            ) SELECT child, count(*) FROM moved GROUP BY child""",
            [width, office.depth + 1, task.pk, office.path, f"{office.path}%"],
        )
        counts = dict(cursor.fetchall())
    children = Office.objects.in_bulk(list(counts))
    return {
        child: _announce_move(user, task, share, child, counts[pk])
        for pk, child in sorted(children.items(), key=lambda item: item[1].path)
    }


def _move(user, task: ScreeningTask, share: Delegation, child: Office, moving: QuerySet) -> int:
    count = moving.update(holder=child, holder_path=child.path)
    if not count:
        return 0
    return _announce_move(user, task, share, child, count)


def _announce_move(user, task: ScreeningTask, share: Delegation, child: Office, count: int) -> int:
    """The child's share of the task, the audit event and the notice of ``count`` enterprises
    delegated to it."""
    Delegation.objects.get_or_create(
        task=task,
        office=child,
        defaults={"office_path": child.path, "parent": share, "created_by": user},
    )
    audit.record(
        user,
        "screening.delegated",
        task,
        {"from": share.office.code, "to": child.code, "enterprises": count},
        office=child,
    )
    notify(
        office_staff(child),
        message=gettext_noop(
            "Screening task %(task)s: %(count)s enterprises delegated to your office, due %(due)s"
        ),
        params={"task": task.title, "count": count, "due": task.deadline.isoformat()},
        url=task_url(task),
        target=task,
    )
    return count
