"""Escalation's scoping rules, its provider of overdue returns, the receiver that raises a case
as soon as another part finds a cause, and the default rules after each migration."""

from django.db.models.signals import post_migrate

from portal import scoping
from supervision import causes, overdue_returns  # noqa: F401  (registers its provider)
from supervision.escalation import raise_all, seed_default_rules
from supervision.models.escalation import Case, RectificationNotice, ResponseEvidence

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
    raise_all(kwargs["causes"])


def _seed_rules(sender, **kwargs) -> None:
    if sender.name == "supervision":
        seed_default_rules()


causes.cause_found.connect(_raise_found, dispatch_uid="escalation.raise_found")
post_migrate.connect(_seed_rules, dispatch_uid="escalation.seed_rules")
