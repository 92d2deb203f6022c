"""Escalation's scoping rules, its provider of overdue returns, the receiver that raises a case
as soon as another part finds a cause, the default rules after each migration, and its panel
on the dashboards."""

import logging

from django.db.models.signals import post_migrate

from portal import scoping, worklist
from supervision import case_statistics, causes, escalation, overdue_returns  # noqa: F401 (providers)
from supervision.dashboards import Panel, Subject, register_panel
from supervision.escalation import raise_all, seed_default_rules
from supervision.models.escalation import Case, RectificationNotice, ResponseEvidence

logger = logging.getLogger(__name__)

# A case is seen by the office where it sits and the offices above it: an office it climbed
# away from no longer sees it. The institution sees only the notices it must answer.
scoping.register(Case, office=scoping.under("office__path"))
scoping.register(
    RectificationNotice,
    office=scoping.under("case__office__path"),
    institution=scoping.among("case__institution_id"),
    branch=scoping.among("case__branch_id"),
)
scoping.register(
    ResponseEvidence,
    office=scoping.under("response__notice__case__office__path"),
    institution=scoping.among("response__notice__case__institution_id"),
    branch=scoping.among("response__notice__case__branch_id"),
)


def _raise_found(sender, **kwargs) -> None:
    # Sent after the finder's commit: a failure here must not fail its page, and the next
    # sweep raises the same causes from the providers anyway.
    try:
        raise_all(kwargs["causes"])
    except Exception:
        logger.exception("escalation: could not raise the causes %s found", sender)


def _seed_rules(sender, **kwargs) -> None:
    if sender.name == "supervision":
        seed_default_rules()


causes.cause_found.connect(_raise_found, dispatch_uid="escalation.raise_found")
post_migrate.connect(_seed_rules, dispatch_uid="escalation.seed_rules")


def _cases_panel(subject: Subject) -> dict | None:
    """The cases now sitting in the dashboard's subtree (and its institution or branch, if one
    is chosen) that the user may see; None when there are none."""
    cases = case_statistics.in_subtree(subject.office).filter(
        pk__in=scoping.visible(subject.user, Case).values("pk")
    )
    if subject.institution is not None:
        cases = cases.filter(institution=subject.institution)
    if subject.branch is not None:
        cases = cases.filter(branch=subject.branch)
    found = case_statistics.figures(cases)
    return {"cases": found, "subject": subject} if found.total else None


register_panel(Panel("escalation", "supervision/escalation/dashboard_panel.html", _cases_panel))

worklist.register("escalation", escalation.waiting)
