"""Benchmark scaffolding: a year of synthetic complaints over the national seed's branches,
bulk-inserted (not people's filings: no timeline, no notices), kept apart by the reference
prefix and removed by it."""

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from portal.models import Branch, Division, User
from supervision.complaints.models import Category, Complaint, ComplaintStatus

PREFIX = "BENCHPUB"


def seed_year(count: int, first_day: date, days: int, seed: int = 2026) -> int:
    """``count`` complaints filed over ``days`` days from ``first_day``: nine in ten answered
    (one in ten of them late), most of those accepted and rated."""
    rng = random.Random(seed)
    branches = list(
        Branch.objects.filter(is_active=True).values_list("pk", "institution_id", "office_id")
    )
    counties = dict(Division.objects.values_list("office_id", "code"))
    owner, _made = User.objects.get_or_create(
        email="bench.public@bench.portal", defaults={"full_name": "bench"}
    )
    zone = timezone.get_current_timezone()
    rows, filed_at = [], []
    for n in range(count):
        branch, institution, office = rng.choice(branches)
        filed = datetime.combine(first_day + timedelta(days=rng.randrange(days)), time(10), zone)
        answered = rng.random() < 0.9
        rating = rng.choice([None, 1, 2, 3, 4, 5, 5, 4]) if answered else None
        filed_at.append(filed)
        rows.append(
            Complaint(
                reference=f"{PREFIX}{n:08d}",
                owner=owner,
                enterprise_name="bench",
                enterprise_credit_code="91350100M000100Y43",
                legal_representative="bench",
                address="bench",
                contact_phone="bench",
                branch_id=branch,
                institution_id=institution,
                office_id=office,
                county_id=counties.get(office) or next(iter(counties.values())),
                category=rng.choice(Category.values),
                description="bench",
                wish="bench",
                status=ComplaintStatus.ACCEPTED if rating else ComplaintStatus.FILED,
                due_on=filed.date() + timedelta(days=15),
                first_answered_at=filed + timedelta(days=rng.randrange(1, 20))
                if answered
                else None,
                answered_late=answered and rng.random() < 0.1,
                reopen_count=int(rng.random() < 0.05),
                rating=rating,
                solved=None if rating is None else rating >= 3,
                rated_at=filed + timedelta(days=25) if rating else None,
            )
        )
    with transaction.atomic():
        made = Complaint.objects.bulk_create(rows, batch_size=2000)
        # filed_at is set on insert (auto_now_add): spread over the year afterwards.
        for complaint, filed in zip(made, filed_at, strict=True):
            complaint.filed_at = filed
        Complaint.objects.bulk_update(made, ["filed_at"], batch_size=2000)
    return len(made)


def remove() -> int:
    removed, _by_model = Complaint.objects.filter(reference__startswith=PREFIX).delete()
    return removed
