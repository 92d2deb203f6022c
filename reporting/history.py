"""Accepted returns written straight to reporting's tables, as if banks had filed them and
reviewers accepted them: the demo's earlier quarters and the scoring benchmark's 4,500 banks.
Real filings go through reporting's upload pipeline; this only stands in for history."""

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from portal.identifiers import NATIONAL_CODE
from portal.models import Branch, Institution, InstitutionKind, User
from reporting.models import (
    Filing,
    FilingRow,
    FilingSource,
    FilingStatus,
    RequestSource,
    ReturnRequest,
)
from reporting.periods import parse_quarter, quarter_end
from reporting.signals import history_written
from reporting.specs import spec_for_period


@dataclass(frozen=True)
class Filed:
    """One institution's accepted return for a period: its rows as {column key: value}."""

    institution: Institution
    period: str
    rows: list[dict]

    @property
    def spec_code(self) -> str:
        return "SME-INSURANCE" if self.institution.kind == InstitutionKind.INSURER else "SME-LOANS"


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, int | str):
        return str(value)
    return f"{Decimal(str(value)):.2f}"


def write(filed: Iterable[Filed], uploader: User) -> int:
    """Store each as the accepted filing in force for its (new or existing) request; requests
    that already hold filings are left alone. Returns how many filings were written."""
    filed = list(filed)
    now = timezone.now()
    with transaction.atomic():
        ReturnRequest.objects.bulk_create(
            [
                ReturnRequest(
                    spec_code=item.spec_code,
                    spec_version=spec_for_period(item.spec_code, item.period).version,
                    period=item.period,
                    institution=item.institution,
                    office_id=item.institution.office_id,
                    due_date=quarter_end(item.period) + timedelta(days=25),
                    source=RequestSource.SCHEDULE,
                )
                for item in filed
            ],
            ignore_conflicts=True,
        )
        periods = {item.period for item in filed}
        requests = {
            (r.spec_code, r.period, r.institution_id): r
            for r in ReturnRequest.objects.filter(
                period__in=periods, branch=None, source_ref="", filings__isnull=True
            )
        }
        pending = [
            (item, requests[key])
            for item in filed
            if (key := (item.spec_code, item.period, item.institution.pk)) in requests
        ]
        filings = Filing.objects.bulk_create(
            [
                Filing(
                    request=return_request,
                    spec_code=return_request.spec_code,
                    spec_version=return_request.spec_version,
                    period=return_request.period,
                    institution_id=return_request.institution_id,
                    version=1,
                    original_name=f"{return_request.spec_code}-{return_request.period}.xlsx",
                    source=FilingSource.WEB,
                    uploaded_by=uploader,
                    status=FilingStatus.ACCEPTED,
                    phase="done",
                    progress=100,
                    row_count=len(item.rows),
                    is_current=True,
                    signed_at=now,
                    reviewed_at=now,
                    validated_at=now,
                )
                for item, return_request in pending
            ],
            batch_size=2000,
        )
        rows = []
        for filing, (item, _) in zip(filings, pending, strict=True):
            spec = spec_for_period(item.spec_code, item.period)
            for number, row in enumerate(item.rows, start=3):
                data = [_text(row.get(key)) for key in spec.column_keys]
                row_key = str(row.get(spec.key[0], number))
                rows.append(FilingRow(filing=filing, row=number, key=row_key, data=data))
        FilingRow.objects.bulk_create(rows, batch_size=5000)
        # Inside the transaction, unlike filing_accepted: what the apps above derive from
        # accepted returns is written with the history or not at all.
        history_written.send(
            Filing, filings=Filing.objects.filter(pk__in=[filing.pk for filing in filings])
        )
    return len(filings)


def bank_rows(rng: random.Random, period: str, county: str, size: float) -> dict:
    """A plausible SME-LOANS row for a county where a bank lends ``size`` (10k CNY)."""
    quarter = parse_quarter(period)[1] / 4
    start = size
    sme = start * (1 + rng.gauss(0.08, 0.07) * quarter)
    all_start = start / rng.uniform(0.12, 0.4)
    all_loans = max(all_start * (1 + rng.gauss(0.08, 0.03) * quarter), sme)
    borrowers_start = max(1, int(start / rng.uniform(80, 200)))
    borrowers = max(1, int(borrowers_start * (1 + rng.gauss(0.03, 0.05) * quarter)))
    row: dict[str, Any] = {
        "county": county,
        "sme_balance": sme,
        "sme_balance_start": start,
        "all_balance": all_loans,
        "all_balance_start": all_start,
        "borrowers": borrowers,
        "borrowers_start": borrowers_start,
        "first_time": int(borrowers * rng.uniform(0.03, 0.16) * quarter),
        "credit_balance": sme * rng.uniform(0.15, 0.4),
        "long_term_balance": sme * rng.uniform(0.1, 0.32),
        "renewal_balance": sme * rng.uniform(0.02, 0.12),
        "issued_ytd": sme * rng.uniform(0.3, 0.6) * quarter,
        "issued_rate": rng.uniform(3.4, 5.2),
        "sme_npl": sme * rng.uniform(0.005, 0.05),
        "all_npl": all_loans * rng.uniform(0.005, 0.02),
        "individual_balance": sme * rng.uniform(0.1, 0.3),
        "individual_borrowers": max(1, int(borrowers * rng.uniform(0.2, 0.5))),
    }
    for key in ("foreign_trade_balance", "technology_balance", "consumption_balance"):
        row[key] = sme * rng.uniform(0.04, 0.14)
    row["manufacturing_long_term"] = min(row["long_term_balance"], sme * rng.uniform(0.04, 0.14))
    # Private enterprises (SME-LOANS 2025.2): most small firms are private. Drawn from a
    # generator of its own, the same share every quarter for the bank's county, so that the
    # figures drawn before it stay as they were.
    row["private_balance"] = sme * random.Random(f"private:{county}:{size:.0f}").uniform(0.4, 0.8)
    return row


LINES = ("property", "liability", "export_credit")


def insurer_rows(rng: random.Random, size: float) -> list[dict]:
    rows = []
    for line in LINES:
        policies = int(size * rng.uniform(0.5, 2))
        claims = int(policies * rng.uniform(0.01, 0.1))
        rows.append(
            {
                "product_line": line,
                "policies": policies,
                "premiums": size * rng.uniform(0.5, 1.5),
                "sum_insured": size * rng.uniform(50, 150),
                "claims_paid": size * rng.uniform(0.1, 0.5) if claims else 0,
                "claims": claims,
                "settle_days": rng.uniform(10, 50) if claims else None,
                "individual_policies": int(policies * rng.uniform(0.05, 0.3)),
                "individual_premiums": size * rng.uniform(0.05, 0.2),
            }
        )
    return rows


def lending_places(institutions: Iterable[Institution]) -> dict[int, list[str]]:
    """Where each institution lends: the codes of its head office and of its branches'
    offices, each a division the dashboards place (every office covers its own code); the
    General Bureau's only for a bank with no branch."""
    places = {i.pk: {i.office.code} for i in institutions}
    branches = Branch.objects.filter(is_active=True, institution__in=list(places))
    for pk, code in branches.values_list("institution_id", "office__code"):
        places[pk].add(code)
    return {pk: sorted(codes - {NATIONAL_CODE} or codes) for pk, codes in places.items()}


def generated(
    institution: Institution, period: str, places: list[str] | None = None, seed: int = 9
) -> Filed:
    """The same plausible return for the same institution, period and seed, every time: a
    bank's rows for up to three of its ``places`` (``lending_places``; looked up if not
    given)."""
    # The institution's size is its own, the same every quarter, so that its book moves
    # plausibly from one quarter to the next; the rest varies by quarter.
    size = random.Random(f"{seed}:{institution.credit_code}").uniform(2_000, 200_000)
    rng = random.Random(f"{seed}:{institution.credit_code}:{period}")
    if institution.kind == InstitutionKind.INSURER:
        return Filed(institution, period, insurer_rows(rng, size / 100))
    counties = (places or lending_places([institution])[institution.pk])[:3]
    rows = [bank_rows(rng, period, c, size / len(counties)) for c in counties]
    return Filed(institution, period, rows)
