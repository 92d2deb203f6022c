"""The public side's writes: building a quarter's statistics release (a worker, daily), and
the typical cases' verbs (write, approve, withdraw), each audited in its own transaction."""

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit, scoping
from portal.models import Office, Role, User
from reporting import periods
from supervision.complaints.selectors import parties_of
from supervision.publication import dictionary
from supervision.publication.models import CaseSource, CaseStatus, StatisticsRelease, TypicalCase
from supervision.publication.selectors import complaint_tables, lending_table

WRITER_ROLE = Role.REVIEWER
APPROVER_ROLE = Role.HEAD


FORMATS = ("csv", "xlsx")


def release_cache_key(quarter: str) -> str:
    return f"publication:release:{quarter}"


def download_cache_key(quarter: str, table: str, fmt: str) -> str:
    return f"publication:download:{quarter}:{table}:{fmt}"


def cache_keys(quarter: str) -> list[str]:
    """What the public pages keep in the cache for a quarter: its release and each download,
    emptied when the release is rebuilt."""
    downloads = [download_cache_key(quarter, t, f) for t in dictionary.tables() for f in FORMATS]
    return [release_cache_key(quarter), *downloads]


def build_release(quarter: str) -> StatisticsRelease:
    """Build (or rebuild) the quarter's public tables, small cells suppressed."""
    if not periods.is_quarter(quarter):
        raise ValidationError(_("Not a quarter: %(quarter)s") % {"quarter": quarter})
    min_cell = settings.PORTAL_PUBLIC_MIN_CELL
    tables = complaint_tables(quarter, min_cell)
    tables["lending-by-province"] = lending_table(quarter, min_cell)
    with transaction.atomic(durable=True):
        made, _created = StatisticsRelease.objects.update_or_create(
            quarter=quarter,
            defaults={"built_at": timezone.now(), "min_cell": min_cell, "tables": tables},
        )
        transaction.on_commit(lambda: cache.delete_many(cache_keys(quarter)))
    return made


def build_current(now: datetime | None = None) -> list[str]:
    """This quarter so far and the last one (still moving while its complaints are answered)."""
    today = timezone.localdate(now or timezone.now())
    this = periods.quarter_of(today)
    built = [periods.previous_quarter(this), this]
    for quarter in built:
        build_release(quarter)
    return built


def _check_text(user: User, reference: str, consent: bool, texts: list[str]) -> None:
    """A case from a complaint names none of its parties' identifiers, nor their names
    unless they consented."""
    parties = parties_of(user, reference)
    if parties is None:
        raise ValidationError(_("No complaint of yours has that reference number."))
    forbidden = parties["identifiers"] + ([] if consent else parties["names"])
    joined = "\n".join(texts).casefold()
    found = [value for value in forbidden if value.casefold() in joined]
    if found:
        raise ValidationError(
            _("The case names a party of the complaint: %(found)s. Remove it, or record consent.")
            % {"found": ", ".join(found)}
        )


def write_case(user: User, office: Office, **fields) -> TypicalCase:
    """A draft case of ``office``, written by one of its reviewers or heads (or above)."""
    if not scoping.may_act(user, office, WRITER_ROLE):
        raise PermissionDenied
    texts = [fields[k].strip() for k in ("title_zh", "title_en", "body_zh", "body_en")]
    if not all(texts):
        raise ValidationError(_("Give the title and the case in both languages."))
    if fields["consent"] and not fields.get("consent_note", "").strip():
        raise ValidationError(_("Say how the parties' consent was recorded."))
    if fields["source"] == CaseSource.COMPLAINT:
        _check_text(user, fields["complaint_reference"], fields["consent"], texts)
    elif fields["source"] not in CaseSource.values:
        raise ValidationError(_("Choose where the case comes from."))
    with transaction.atomic(durable=True):
        case = TypicalCase.objects.create(office=office, written_by=user, **fields)
        audit.record(user, "typical_case_written", case, {"status": [None, case.status]})
    return case


def _locked(user: User, case: TypicalCase, allowed: str, refusal: str) -> TypicalCase:
    if not scoping.may_act(user, case, APPROVER_ROLE):
        raise PermissionDenied
    locked = TypicalCase.objects.select_for_update().get(pk=case.pk)
    if locked.status != allowed:
        raise ValidationError(refusal)
    return locked


@transaction.atomic(durable=True)
def approve_case(user: User, case: TypicalCase) -> TypicalCase:
    """A head of the office (or above), not its writer, approves: it is published at once."""
    c = _locked(user, case, CaseStatus.DRAFT, _("Only a draft can be approved."))
    if c.written_by_id == user.pk:
        raise ValidationError(_("Another head must approve the case you wrote."))
    c.status, c.approved_by, c.published_at = CaseStatus.PUBLISHED, user, timezone.now()
    c.save(update_fields=["status", "approved_by", "published_at"])
    audit.record(user, "typical_case_published", c, {"status": [CaseStatus.DRAFT, c.status]})
    return c


@transaction.atomic(durable=True)
def withdraw_case(user: User, case: TypicalCase, reason: str) -> TypicalCase:
    """Take a published case off the public site, with the reason kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please give the reason for withdrawing the case."))
    c = _locked(user, case, CaseStatus.PUBLISHED, _("Only a published case can be withdrawn."))
    c.status, c.withdrawn_at, c.withdrawn_reason = CaseStatus.WITHDRAWN, timezone.now(), reason
    c.save(update_fields=["status", "withdrawn_at", "withdrawn_reason"])
    audit.record(
        user,
        "typical_case_withdrawn",
        c,
        {"status": [CaseStatus.PUBLISHED, c.status], "reason": [None, reason]},
    )
    return c
