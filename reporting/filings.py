"""Service functions for filings, one per verb. Each runs in its own transaction (durable: no
caller can fold two verbs into one), checks the actor's right through ``portal.scoping``,
writes the audit event and enqueues work on commit."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Max
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit, scoping
from portal.models import Role
from portal.outbox import send_on_commit
from portal.stored_files import atomic_with_files, save_file, sha256_of
from reporting.models import (
    Filing,
    FilingSource,
    FilingStatus,
    ReturnRequest,
    RuleHit,
    WarningConfirmation,
    superseded,
)
from reporting.signals import filing_accepted, filing_accepting
from reporting.spec import Severity


def _enqueue(filing: Filing) -> None:
    from reporting import tasks

    send_on_commit(tasks.validate_filing, filing.pk)


def filing_upload(
    user,
    return_request: ReturnRequest,
    upload: File,
    *,
    name: str,
    source: str = FilingSource.WEB,
    check_only: bool = False,
    declared_size: int | None = None,
) -> Filing:
    """Store a new version of ``return_request``'s filing (or a check-only trial) and queue it.

    ``declared_size`` is what the client said it sent; a shorter file is reported as an
    upload cut off in transit, not as a broken workbook.
    """
    if not scoping.may_act(user, return_request, Role.PREPARER):
        raise PermissionDenied
    today = timezone.localdate()
    if not check_only and not return_request.is_open_on(today):
        raise ValidationError(
            _("This period is closed. Ask your supervising office to reopen it for you.")
        )
    limit = settings.PORTAL_UPLOAD_MAX_BYTES
    if (getattr(upload, "size", None) or 0) > limit:
        raise _too_large(limit)
    sha256, size = sha256_of(upload)
    if size > limit:
        raise _too_large(limit)
    with atomic_with_files(durable=True):
        ReturnRequest.objects.select_for_update().get(pk=return_request.pk)
        version = 0
        if not check_only:
            latest = return_request.filings.filter(check_only=False).aggregate(v=Max("version"))[
                "v"
            ]
            version = (latest or 0) + 1
        filing = Filing(
            request=return_request,
            spec_code=return_request.spec_code,
            spec_version=return_request.spec_version,
            period=return_request.period,
            institution=return_request.institution,
            branch=return_request.branch,
            check_only=check_only,
            version=version,
            original_name=name[:255],
            size=size,
            declared_size=declared_size,
            sha256=sha256,
            source=source,
            uploaded_by=user,
            is_late=not check_only and today > return_request.due_date,
            heartbeat_at=timezone.now(),
        )
        save_file(filing.file, name, upload)
        filing.save()
        audit.record(
            user,
            "filing.checked" if check_only else "filing.uploaded",
            filing,
            {"version": version, "sha256": sha256, "size": size, "late": filing.is_late},
        )
        _enqueue(filing)
    return filing


def _too_large(limit: int) -> ValidationError:
    """The web form's words (``UploadForm.clean_file``), for every way a file arrives."""
    return ValidationError(
        _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}
    )


def receipt_number(filing: Filing) -> str:
    """A number both sides can quote: return, period, filer's code tail, filing id."""
    filer = (
        filing.branch.credit_code if filing.branch is not None else filing.institution.credit_code
    )
    return f"{filing.spec_code}-{filing.period}-{filer[-6:]}-{filing.pk:07d}"


def filing_sign(user, filing: Filing, confirmations: dict[str, str]) -> Filing:
    """An approver signs a valid filing, confirming each warning rule with an optional reason;
    one confirmation covers all of a rule's hits."""
    with transaction.atomic(durable=True):
        filing = _locked(user, filing, Role.APPROVER)
        if filing.check_only or filing.status not in (
            FilingStatus.VALID,
            FilingStatus.NEEDS_CONFIRMATION,
        ):
            raise ValidationError(_("Only a valid filing can be signed."))
        if Filing.objects.filter(pk=filing.pk).filter(superseded()).exists():
            raise ValidationError(
                _("A newer version of this return was uploaded: sign that one instead.")
            )
        warnings = set(
            RuleHit.objects.filter(filing=filing, severity=Severity.WARNING).values_list(
                "code", flat=True
            )
        )
        unconfirmed = sorted(warnings - set(confirmations))
        if unconfirmed:
            raise ValidationError(
                _("Confirm every warning before signing: %(codes)s")
                % {"codes": ", ".join(unconfirmed)}
            )
        WarningConfirmation.objects.bulk_create(
            WarningConfirmation(
                filing=filing, code=code, reason=confirmations[code].strip(), confirmed_by=user
            )
            for code in sorted(warnings)
        )
        filing.status = FilingStatus.SUBMITTED
        filing.signed_by, filing.signed_at = user, timezone.now()
        filing.receipt_number = receipt_number(filing)
        filing.save(update_fields=["status", "signed_by", "signed_at", "receipt_number"])
        audit.record(
            user,
            "filing.signed",
            filing,
            {
                "receipt": filing.receipt_number,
                "confirmed": {c: confirmations[c] for c in warnings},
            },
        )
    return filing


def filing_accept(user, filing: Filing, comment: str = "") -> Filing:
    """A reviewer accepts a submitted filing; it becomes the current version of its request.

    The request's row is locked first (as an upload locks it), so that two reviewers
    accepting two versions of one return at once take turns: the newest signed version is
    the one accepted, and an older one is refused with the reason."""
    with transaction.atomic(durable=True):
        if filing.request_id is not None:
            ReturnRequest.objects.select_for_update().filter(pk=filing.request_id).first()
        filing = _locked(user, filing, Role.REVIEWER)
        _require_submitted(filing)
        _require_newest(filing)
        Filing.objects.filter(request=filing.request, is_current=True).update(is_current=False)
        filing.status = FilingStatus.ACCEPTED
        filing.is_current = True
        _decided(user, filing, comment)
        audit.record(user, "filing.accepted", filing, {"comment": comment})
        filing_accepting.send(Filing, filing=filing)
        transaction.on_commit(lambda: filing_accepted.send(Filing, filing=filing))
    return filing


def filing_return(user, filing: Filing, comment: str) -> Filing:
    """A reviewer sends a submitted filing back to the bank with a comment."""
    if not comment.strip():
        raise ValidationError(_("Say what the bank must correct."))
    with transaction.atomic(durable=True):
        filing = _locked(user, filing, Role.REVIEWER)
        _require_submitted(filing)
        filing.status = FilingStatus.RETURNED
        _decided(user, filing, comment)
        audit.record(user, "filing.returned", filing, {"comment": comment})
    return filing


def review_many(user, filings: Iterable[Filing], accept: bool, comment: str) -> int:
    """Accept or return each filing in its own transaction; returns how many were decided."""
    decide = filing_accept if accept else filing_return
    done = 0
    for filing in filings:
        try:
            decide(user, filing, comment)
        except (ValidationError, PermissionDenied):
            continue
        done += 1
    return done


def _locked(user, filing: Filing, role: str) -> Filing:
    return scoping.locked_for(user, Filing, role, filing.pk)


def _require_submitted(filing: Filing) -> None:
    if filing.status != FilingStatus.SUBMITTED:
        raise ValidationError(_("Only a signed filing awaiting review can be decided."))


def _require_newest(filing: Filing) -> None:
    """An older version cannot be accepted once a newer one is signed or accepted."""
    newer = (
        Filing.objects.filter(
            request_id=filing.request_id,
            check_only=False,
            version__gt=filing.version,
            status__in=(FilingStatus.SUBMITTED, FilingStatus.ACCEPTED),
        )
        .order_by("-version")
        .values_list("version", "status")
        .first()
    )
    if newer is None or filing.request_id is None:
        return
    version, status = newer
    if status == FilingStatus.ACCEPTED:
        message = _(
            "Version %(version)s of this return has been accepted; this older version is "
            "superseded and cannot be accepted."
        )
    else:
        message = _(
            "Version %(version)s of this return, newer than this one, is signed and awaiting "
            "review: decide that version instead."
        )
    raise ValidationError(message % {"version": version})


def _decided(user, filing: Filing, comment: str) -> None:
    filing.reviewed_by, filing.reviewed_at = user, timezone.now()
    filing.review_comment = comment.strip()
    filing.save(
        update_fields=["status", "is_current", "reviewed_by", "reviewed_at", "review_comment"]
    )
