"""The follow-up of an enterprise after its task (the 2025 notice X): the loans it later
reports in SCREENING-RESULT returns of later tasks, linked to the earlier task(s) that listed
it. Reads only; the rows come already scoped to the reader (``portal.scoping``).

A later task's answer stays that task's own figure; the earlier task shows it apart, as
granted later, so that no loan is counted twice in one roll-up.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from supervision.screening.models import Decision, ScreeningTask, TaskEnterprise


@dataclass
class GrantedLater:
    """Enterprises of an earlier task that a later task's result granted, and those loans."""

    enterprises: int
    credit: Decimal
    loans: Decimal


def granted_later(
    task: ScreeningTask, enterprises: QuerySet[TaskEnterprise], visible: QuerySet[TaskEnterprise]
) -> GrantedLater:
    """What later tasks' results granted to ``enterprises`` of ``task``: over the ``visible``
    rows of the tasks created after it (none: no query over the enterprises), one aggregate
    joined on the credit code."""
    tasks = list(
        ScreeningTask.objects.filter(created_at__gt=task.created_at).values_list("pk", flat=True)
    )
    if not tasks:
        return GrantedLater(0, Decimal(0), Decimal(0))
    later = visible.filter(
        task__in=tasks,
        decision=Decision.GRANTED,
        credit_code__in=enterprises.values("credit_code"),
    )
    sums = later.aggregate(
        enterprises=Count("credit_code", distinct=True),
        credit=Sum("credit_amount"),
        loans=Sum("loan_amount"),
    )
    return GrantedLater(
        enterprises=sums["enterprises"],
        credit=Decimal(sums["credit"] or 0),
        loans=Decimal(sums["loans"] or 0),
    )


def link_later_grants(listed: list[TaskEnterprise]) -> None:
    """Set ``granted_later`` on each of one enterprise's ``listed`` rows (one per task): the
    rows of the tasks created after its own whose result granted it credit, oldest first."""
    granted = sorted(
        (row for row in listed if row.decision == Decision.GRANTED),
        key=lambda row: row.task.created_at,
    )
    for row in listed:
        row.granted_later = [g for g in granted if g.task.created_at > row.task.created_at]
