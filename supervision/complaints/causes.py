"""Complaints as causes for escalation (see ``supervision.causes``).

- ``complaint-overdue``: a complaint still unanswered after its deadline; measure = days late.
- ``complaint-rejected``: the owner rejected the answer and the office has not closed it;
  measure = times reopened.
- ``substantive-complaints``: per institution and quarter, how many complaints against it
  the offices found substantive; measure = that count.
- ``complaint-desk-overdue``: a complaint on an office's desk past the office's own deadline;
  raised at the office above (the late desk cannot be its own watchdog); measure = days late.
- ``low-satisfaction``: per institution and quarter, the share (percent) of its owners'
  ratings that were 1 or 2, once at least ``MIN_RATINGS`` were given; measure = that share.
"""

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from portal.models import Institution, Office
from reporting import periods
from supervision.causes import Cause, provider
from supervision.complaints.clock import days_late, local_day
from supervision.complaints.models import Complaint, ComplaintStatus

OVERDUE = "complaint-overdue"
REJECTED = "complaint-rejected"
SUBSTANTIVE = "substantive-complaints"
DESK_OVERDUE = "complaint-desk-overdue"
LOW_SATISFACTION = "low-satisfaction"
# Fewer ratings than this in a quarter are no pattern: one angry owner raises no case.
MIN_RATINGS = 5


def _quarter(day: date) -> tuple[date, date, str]:
    """The quarter of ``day``: its first day, the first day of the next, and its label."""
    label = periods.quarter_of(day)
    return periods.quarter_start(label), periods.quarter_end(label) + timedelta(days=1), label


def _url(complaint: Complaint) -> str:
    return reverse("complaint-detail", args=[complaint.pk])


def _about(complaint: Complaint, kind: str, measure: int, summary: str, on: date) -> Cause:
    """A cause whose evidence is one complaint."""
    return Cause(
        kind=kind,
        key=f"complaint:{complaint.pk}:{kind.removeprefix('complaint-')}",
        institution_id=complaint.institution_id,
        branch_id=complaint.branch_id,
        office_id=complaint.office_id,
        measure=Decimal(measure),
        summary=summary,
        evidence_url=_url(complaint),
        occurred_on=on,
        details={"reference": complaint.reference, "due_on": complaint.due_on.isoformat()},
    )


def overdue_cause(complaint: Complaint, on: date) -> Cause:
    late = days_late(complaint.due_on, on)
    ref = complaint.reference
    summary = f"投诉 {ref} 逾期 {late} 天未答复 / complaint {ref} unanswered {late} days late"
    return _about(complaint, OVERDUE, late, summary, complaint.due_on)


def rejected_cause(complaint: Complaint) -> Cause:
    ref = complaint.reference
    summary = f"投诉 {ref} 的答复被企业拒绝 / the owner rejected the answer to complaint {ref}"
    on = local_day(complaint.at_office_since)
    return _about(complaint, REJECTED, complaint.reopen_count, summary, on)


def substantive_cause(institution: Institution, as_of: datetime) -> Cause:
    start, end, label = _quarter(local_day(as_of))
    count = Complaint.objects.filter(
        institution=institution,
        substantive=True,
        substantive_at__date__gte=start,
        substantive_at__date__lt=end,
    ).count()
    return _substantive(institution.pk, institution.office_id, label, count, local_day(as_of))


def _substantive(institution_id: int, office_id: int, label: str, count: int, on: date) -> Cause:
    return Cause(
        kind=SUBSTANTIVE,
        key=f"substantive:{institution_id}:{label}",
        institution_id=institution_id,
        office_id=office_id,
        measure=Decimal(count),
        summary=f"{label} 有效投诉 {count} 件 / {count} substantive complaints in {label}",
        evidence_url=reverse("complaint-list") + f"?institution={institution_id}&substantive=1",
        occurred_on=on,
        details={"quarter": label, "count": count},
    )


@provider(OVERDUE)
def overdue_causes(as_of: datetime) -> list[Cause]:
    today = local_day(as_of)
    late = Complaint.objects.filter(
        status__in=[*ComplaintStatus.awaiting_answer(), ComplaintStatus.AT_OFFICE],
        first_answered_at=None,
        due_on__lt=today,
    )
    return [overdue_cause(c, today) for c in late.order_by("pk")]


@provider(REJECTED)
def rejected_causes(as_of: datetime) -> list[Cause]:
    reopened = Complaint.objects.filter(reopen_count__gt=0, closed_at=None)
    return [rejected_cause(c) for c in reopened.order_by("pk")]


@provider(SUBSTANTIVE)
def substantive_causes(as_of: datetime) -> list[Cause]:
    day = local_day(as_of)
    start, end, label = _quarter(day)
    counts = (
        Complaint.objects.filter(
            substantive=True, substantive_at__date__gte=start, substantive_at__date__lt=end
        )
        .values("institution_id", "institution__office_id")
        .annotate(n=Count("pk"))
        .order_by("institution_id")
    )
    return [
        _substantive(row["institution_id"], row["institution__office_id"], label, row["n"], day)
        for row in counts
    ]


def desk_overdue_cause(complaint: Complaint, on: date) -> Cause:
    assert complaint.desk_due_on is not None, "only a complaint on a desk has its deadline"
    late = days_late(complaint.desk_due_on, on)
    ref = complaint.reference
    office = complaint.office
    parent = Office.objects.filter(path=office.path[: -office.steplen]).first() or office
    return Cause(
        kind=DESK_OVERDUE,
        key=f"complaint:{complaint.pk}:desk-overdue:{complaint.desk_due_on.isoformat()}",
        institution_id=complaint.institution_id,
        branch_id=complaint.branch_id,
        office_id=parent.pk,
        measure=Decimal(late),
        summary=(
            f"投诉 {ref} 在监管部门超期 {late} 天未办结 / "
            f"complaint {ref} on the office's desk {late} days past its deadline"
        ),
        evidence_url=_url(complaint),
        occurred_on=complaint.desk_due_on,
        details={"reference": ref, "desk_due_on": complaint.desk_due_on.isoformat()},
    )


@provider(DESK_OVERDUE)
def desk_overdue_causes(as_of: datetime) -> list[Cause]:
    today = local_day(as_of)
    late = Complaint.objects.filter(
        status__in=ComplaintStatus.on_desk(), desk_due_on__lt=today
    ).select_related("office")
    return [desk_overdue_cause(c, today) for c in late.order_by("pk")]


@provider(LOW_SATISFACTION)
def low_satisfaction_causes(as_of: datetime) -> list[Cause]:
    """The quarter so far: institutions whose owners rated the handling badly."""
    day = local_day(as_of)
    start, end, label = _quarter(day)
    rows = (
        Complaint.objects.filter(rated_at__date__gte=start, rated_at__date__lt=end)
        .values("institution_id", "institution__office_id")
        .annotate(n=Count("pk"), low=Count("pk", filter=Q(rating__lte=2)))
        .filter(n__gte=MIN_RATINGS)
        .order_by("institution_id")
    )
    return [_low_satisfaction(row, label, day) for row in rows]


def _low_satisfaction(row: Mapping[str, Any], label: str, on: date) -> Cause:
    share = (Decimal(100) * row["low"] / row["n"]).quantize(Decimal("0.1"))
    institution_id = row["institution_id"]
    return Cause(
        kind=LOW_SATISFACTION,
        key=f"low-satisfaction:{institution_id}:{label}",
        institution_id=institution_id,
        office_id=row["institution__office_id"],
        measure=share,
        summary=(
            f"{label} 企业评价 {row['n']} 件中 {share}% 不满意 / "
            f"{share}% of {row['n']} ratings in {label} dissatisfied"
        ),
        evidence_url=reverse("complaint-statistics"),
        occurred_on=on,
        details={"quarter": label, "ratings": row["n"], "dissatisfied": row["low"]},
    )
