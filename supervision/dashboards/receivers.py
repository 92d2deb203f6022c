"""The dashboards' scoping (an export is its requester's alone: it was built with their
scope) and their receiver of reporting's ``filing_accepting``."""

import logging

from django.db import DatabaseError, transaction
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from portal import scoping
from reporting.models import Filing
from reporting.signals import filing_accepting, history_written
from supervision.dashboards import lending_rows
from supervision.dashboards.models import DashboardExport

logger = logging.getLogger(__name__)

scoping.register(DashboardExport, owner=scoping.owned_by("requested_by"))


@receiver(filing_accepting, dispatch_uid="dashboards-lending-rows")
def record_lending_rows(sender, filing: Filing, **kwargs) -> None:
    """An accepted SME-LOANS return's figures are written as numbers for the dashboards, and
    the quarter's summaries the pages read rewritten, in the acceptance's transaction: a page
    never shows a quarter's figures without the return just accepted, nor with the one it
    superseded."""
    if filing.spec_code != lending_rows.SPEC_CODE:
        return
    try:
        with transaction.atomic():  # a savepoint: a failure here leaves the acceptance
            lending_rows.record(Filing.objects.filter(pk=filing.pk))
    except DatabaseError:
        # The reviewer is not shown an error for this: the sweep writes them within minutes.
        logger.exception("lending rows of filing %s not written; the sweep will", filing.pk)


@receiver(history_written, dispatch_uid="dashboards-lending-rows-of-history")
def record_history_lending_rows(sender, filings, **kwargs) -> None:
    """History written straight to the tables gets its lending rows with it."""
    lending_rows.record(filings)


@receiver(post_migrate, dispatch_uid="dashboards-lending-rows-after-migrate")
def record_after_migrate(sender, **kwargs) -> None:
    """After an upgrade, the returns accepted before lending rows existed get theirs at once
    (the beat sweep would, within minutes)."""
    if sender.name == "supervision":
        lending_rows.record_missing()
