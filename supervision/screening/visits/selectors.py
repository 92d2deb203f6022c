"""What the visit app shows an officer: the enterprises they are to visit, each with its last
visit and next step, newest work first. Reads only."""

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from portal import scoping
from portal.models import Role, User
from supervision.screening.models import Assignment, TaskEnterprise
from supervision.screening.visits.models import Visit

# The app caches the whole list on the phone; an officer with more open enterprises than this
# sees the ones without an answer first, then by next step, and uses the portal for the rest.
APP_LIMIT = 300


def visiting(user: User) -> QuerySet[Assignment]:
    """The assignments ``user`` may record visits under: a bank's preparers and approvers for
    their institution or branch, and the assigning county office's reviewers (its task force)."""
    bank = scoping.actionable(user, Assignment, Role.PREPARER)
    office = scoping.actionable(user, Assignment, Role.REVIEWER)
    return Assignment.objects.filter(
        Q(pk__in=bank.order_by().values("pk")) | Q(pk__in=office.order_by().values("pk"))
    )


def to_visit(user: User, assignments: QuerySet[Assignment]) -> QuerySet[TaskEnterprise]:
    """The enterprises the given assignments still hold, each with its latest visit's time and
    next step, unanswered first, then the nearest next step."""
    latest = Visit.objects.filter(enterprise=OuterRef("pk"), assignment=OuterRef("assignment"))
    latest = latest.order_by("-visited_at", "-pk")
    return (
        scoping.visible(user, TaskEnterprise)
        .filter(assignment__in=assignments)
        .select_related("assignment__task", "assignment__institution", "assignment__branch")
        .annotate(
            last_visit=Subquery(latest.values("visited_at")[:1]),
            next_step=Subquery(latest.values("next_step")[:1]),
            next_step_on=Subquery(latest.values("next_step_on")[:1]),
        )
        .order_by(F("decision").asc(), F("next_step_on").asc(nulls_last=True), "name")
    )
