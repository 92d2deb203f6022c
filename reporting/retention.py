"""Files the portal does not keep: a check-only trial's file and a rejected version's file
are deleted ``PORTAL_CHECK_ONLY_RETENTION_DAYS`` after upload by beat's sweep. The filing's
row and its report (the rule hits) stay, and its page says the file was deleted."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from reporting.models import Filing, FilingStatus

BATCH = 500


def expired() -> "Q":
    """Filings whose file has outlived the retention: trials and rejected versions, once
    validated (a pending filing still needs its file)."""
    cutoff = timezone.now() - timedelta(days=settings.PORTAL_CHECK_ONLY_RETENTION_DAYS)
    validated = ~Q(status__in=(FilingStatus.RECEIVED, FilingStatus.VALIDATING))
    return (
        (Q(check_only=True) | Q(status=FilingStatus.REJECTED))
        & validated
        & Q(uploaded_at__lt=cutoff)
        & ~Q(file="")
    )


def remove_expired_files() -> int:
    """Delete the files of expired filings, a batch per transaction (rows locked, skipping
    any another sweep holds); returns how many were deleted. A file is deleted before its
    row forgets it, so a sweep that dies in between leaves the next one to finish."""
    removed = 0
    while True:
        with transaction.atomic(durable=True):
            batch = list(
                Filing.objects.select_for_update(skip_locked=True)
                .filter(expired())
                .order_by("pk")
                .only("pk", "file")[:BATCH]
            )
            for filing in batch:
                filing.file.delete(save=False)
            Filing.objects.filter(pk__in=[f.pk for f in batch]).update(file="")
        removed += len(batch)
        if len(batch) < BATCH:
            return removed
