"""Return requests: opened by the calendar for periodic returns, or by other parts of the
portal (screening tasks) through ``open_request``; reopened for one filer by an office."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal import audit, scoping
from portal.models import Branch, Institution, InstitutionKind, Office, Role
from portal.notifications import institution_staff, notify
from portal.webhooks import events as webhooks
from portal.webhooks.models import EventType
from reporting import periods
from reporting.models import RequestSource, ReturnRequest
from reporting.spec import FilerKind, PeriodKind
from reporting.specs import ALL, spec_for_period


def open_request(
    *,
    spec_code: str,
    period: str,
    institution: Institution,
    office: Office,
    due_date: date,
    source: str,
    branch: Branch | None = None,
    source_ref: str = "",
) -> ReturnRequest:
    """The request of this filer for this spec and period, created if it does not exist."""
    spec = spec_for_period(spec_code, period) if periods.is_quarter(period) else None
    return_request, created = ReturnRequest.objects.get_or_create(
        spec_code=spec_code,
        period=period,
        institution=institution,
        branch=branch,
        source_ref=source_ref,
        defaults={
            "spec_version": spec.version if spec else _newest_version(spec_code),
            "office": office,
            "due_date": due_date,
            "source": source,
        },
    )
    if created:
        webhooks.emit(EventType.REQUEST_OPENED, return_request)
    return return_request


def _newest_version(spec_code: str) -> str:
    return max(s.version for s in ALL if s.code == spec_code)


def _due_periods(today: date) -> dict[str, tuple[str, date]]:
    """By period kind, the period the calendar asks for now and its due date: the quarter that
    ended last, and until its due date the year that has begun (a yearly return is a plan
    filed at its start; later in the year an office asks for a missing one itself)."""
    quarter = periods.previous_quarter(periods.quarter_of(today))
    days = timedelta(days=settings.PORTAL_RETURN_DUE_DAYS)
    due: dict[str, tuple[str, date]] = {
        PeriodKind.QUARTER: (quarter, periods.quarter_end(quarter) + days)
    }
    if today <= (plan_due := date(today.year, 1, 1) + days):
        due[PeriodKind.YEAR] = (str(today.year), plan_due)
    return due


def open_periodic_requests(today: date | None = None) -> int:
    """Requests for the quarter that ended last and for the year that has begun, for every
    active filer of each quarterly and yearly return. Safe to run any number of times:
    existing requests are left as they are."""
    today = today or timezone.localdate()
    due_periods = _due_periods(today)
    created = 0
    for code, kind in sorted(
        {(s.code, s.period_kind) for s in ALL if s.period_kind in due_periods}
    ):
        period, due = due_periods[kind]
        spec = spec_for_period(code, period)
        filers = Institution.objects.filter(is_active=True).select_related("office")
        if spec.filer == FilerKind.INSURER:
            filers = filers.filter(kind=InstitutionKind.INSURER)
        else:
            filers = filers.exclude(kind=InstitutionKind.INSURER)
        existing = set(
            ReturnRequest.objects.filter(spec_code=code, period=period, branch=None).values_list(
                "institution_id", flat=True
            )
        )
        new = [
            ReturnRequest(
                spec_code=code,
                spec_version=spec.version,
                period=period,
                institution=i,
                office=i.office,
                due_date=due,
                source=RequestSource.SCHEDULE,
            )
            for i in filers
            if i.pk not in existing
        ]
        ReturnRequest.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        webhooks.emit_each(
            EventType.REQUEST_OPENED,
            ReturnRequest.objects.filter(spec_code=code, period=period, branch=None)
            .filter(institution__in=[r.institution for r in new])
            .select_related("institution__office"),
        )
        created += len(new)
    return created


def close_lapsed_requests(today: date | None = None) -> int:
    """Close the requests whose due date passed ``PORTAL_RETURN_CLOSE_DAYS`` ago: late filings
    are taken until then; afterwards an office reopens a period for one filer, with a reason."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=settings.PORTAL_RETURN_CLOSE_DAYS)
    lapsed = ReturnRequest.objects.filter(closed_at=None, due_date__lt=cutoff)
    return lapsed.update(closed_at=timezone.now())


@transaction.atomic(durable=True)
def request_reopen(user, return_request: ReturnRequest, until: date, reason: str) -> ReturnRequest:
    """Let one filer file again for a closed period, until a date; an office head or reviewer
    of the supervising subtree decides, with a reason, and the filer's officers are told."""
    if not scoping.may_act(user, return_request, Role.REVIEWER):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Give the reason for reopening."))
    if until <= timezone.localdate():
        raise ValidationError(_("Reopen until a day after today."))
    if return_request.closed_at is None:
        raise ValidationError(_("This request is open: there is nothing to reopen."))
    return_request.reopened_until, return_request.reopen_reason = until, reason.strip()
    return_request.save(update_fields=["reopened_until", "reopen_reason"])
    audit.record(
        user,
        "request.reopened",
        return_request,
        {"until": until.isoformat(), "reason": reason},
        office=return_request.office,
    )
    notify(
        institution_staff(return_request.institution, return_request.branch),
        message=gettext_noop(
            "Your supervising office reopened your %(spec)s return for %(period)s until "
            "%(until)s: %(reason)s"
        ),
        params={
            "spec": return_request.spec_code,
            "period": return_request.period,
            "until": until.isoformat(),
            "reason": reason.strip()[:200],
        },
        url=reverse("request-detail", kwargs={"pk": return_request.pk}),
        target=return_request,
    )
    return return_request
