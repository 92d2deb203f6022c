"""Escalation's scoping rules, the receiver that raises a case as soon as another capability
finds a cause, the default rules after each migration, and its source of the home page's
worklist."""

import logging

from django.db.models.signals import post_migrate

from portal import scoping, worklist
from supervision import causes

# Imported for their cause providers, which register themselves with ``causes``.
from supervision.escalation import overdue_returns  # noqa: F401
from supervision.escalation import services as escalation
from supervision.escalation.models import Case, RectificationNotice, ResponseEvidence
from supervision.escalation.raising import raise_all
from supervision.escalation.rules import seed_default_rules

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


worklist.register("escalation", escalation.waiting)
