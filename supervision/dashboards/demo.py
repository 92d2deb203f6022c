"""Demo returns for the dashboards: accepted SME-LOANS returns of the demo banks for the
returns demo's quarter and the quarters before it that the figures compare with or draw as
a trend (the same quarter a year before, the previous year-end, this year's earlier quarters),
filed, signed and accepted
through reporting's own services and pipeline. Some banks miss targets, so that every column
of the dashboard says something; two counties are listed as weak regions, toward which one
large bank leans and the other, with no branch there, does not."""

from dataclasses import dataclass
from datetime import timedelta

import polars as pl
from django.utils import timezone

from portal.demo import DEMO_PASSWORD, INSTITUTIONS, OFFICES, credit_code_for
from portal.models import Institution, Membership, Role, User
from reporting import filings, periods, pipeline
from reporting.demo import _upload
from reporting.models import FilingStatus, RequestSource, ReturnRequest, RuleHit
from reporting.schedule import open_request
from reporting.specs import spec_for_period
from supervision.dashboards.figures import SPEC_CODE
from supervision.dashboards.models import WeakRegion


@dataclass(frozen=True)
class Story:
    """How a demo bank's book moves over the year."""

    key: str
    growth: float  # SME loan growth over a whole year (all loans grow 6%)
    borrowers: float  # borrower growth over a whole year
    npl: float  # SME NPL ratio
    lean: float = 0.0  # the extra yearly growth of its SME lending in weak regions


# The demo's weak regions (2023 notice (十一)): a division list kept as data, as an
# administrator keeps it on the admin site.
WEAK_REGIONS = (("350322", "革命老区县（演示）"), ("350121", "山区县（演示）"))
STORIES = (
    Story("icbc", 0.14, 0.08, 0.011),  # a large bank with no branch in a weak region
    Story("ccb", 0.12, 0.05, 0.012, lean=0.30),  # a large bank leaning toward them
    Story("cmb", 0.03, 0.02, 0.015),  # grows slower than all loans
    Story("fjhx", 0.10, -0.04, 0.018),  # loses borrowers
    Story("jjrcb", 0.16, 0.09, 0.085),  # NPL ratio above the tolerance
    Story("xyrcb", 0.09, 0.03, 0.020),
    Story("mhvb", 0.20, 0.12, 0.025),
    Story("hsbc", 0.05, 0.01, 0.004),
)
ALL_LOAN_GROWTH = 0.06
REVIEWER = "gb.head@demo.portal"


def _counties(key: str) -> tuple[str, ...]:
    """The demo bank's county-level offices: where it has a branch."""
    county_codes = {row.code for row in OFFICES if row.level == 4}
    branches = next(places for k, *_, places in INSTITUTIONS if k == key)
    return tuple(sorted(code for code in branches if code in county_codes))


def _officer(institution: Institution, key: str) -> User:
    """An approver of the bank (approvers may also upload), created for the demo."""
    user, created = User.objects.get_or_create(
        email=f"{key}.officer@demo.portal",
        defaults={"full_name": f"{institution.name_zh} 报表负责人", "is_active": True},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.get_or_create(user=user, role=Role.APPROVER, institution=institution)
    return user


def _frame(story: Story, index: int, period: str, year_end: str) -> pl.DataFrame:
    """The bank's county rows for ``period``: the year-end book moved by the story, with the
    start-of-year columns equal to the previous year-end's figures."""
    counties = _counties(story.key)
    _year, quarter = periods.parse_quarter(period)
    # Quarters since the year-end of the figures: negative for the year before.
    elapsed = quarter / 4 if period > year_end else (quarter - 4) / 4
    weak = {code for code, _note in WEAK_REGIONS}
    base = pl.DataFrame(
        {
            "county": counties,
            "end_sme": [2_000.0 * (index + 2) + 750.0 * i for i, _ in enumerate(counties)],
            "end_borrowers": [40 * (index + 3) + 11 * i for i, _ in enumerate(counties)],
            "growth": [story.growth + (story.lean if c in weak else 0) for c in counties],
        }
    )
    sme = pl.col("end_sme") * (1 + pl.col("growth") * elapsed)
    start_sme = pl.col("end_sme") * (1 if period > year_end else 1 / (1 + story.growth))
    all_loans = pl.col("end_sme") * 3
    rows = base.select(
        pl.col("county"),
        sme.round(2).alias("sme_balance"),
        start_sme.round(2).alias("sme_balance_start"),
        (all_loans * (1 + ALL_LOAN_GROWTH * elapsed)).round(2).alias("all_balance"),
        (all_loans * (1 if period > year_end else 1 / (1 + ALL_LOAN_GROWTH)))
        .round(2)
        .alias("all_balance_start"),
        (pl.col("end_borrowers") * (1 + story.borrowers * elapsed))
        .round(0)
        .cast(pl.Int64)
        .alias("borrowers"),
        (pl.col("end_borrowers") * (1 if period > year_end else 1 / (1 + story.borrowers)))
        .round(0)
        .cast(pl.Int64)
        .alias("borrowers_start"),
        (pl.col("end_borrowers") * (0.05 + 0.04 * quarter))
        .round(0)
        .cast(pl.Int64)
        .alias("first_time"),
        (sme * (0.26 + 0.01 * elapsed)).round(2).alias("credit_balance"),
        (sme * (0.21 + 0.01 * elapsed)).round(2).alias("long_term_balance"),
        (sme * 0.08).round(2).alias("renewal_balance"),
        (sme * 0.2 * quarter).round(2).alias("issued_ytd"),
        pl.lit(round(3.9 - 0.05 * index - 0.1 * elapsed, 2)).alias("issued_rate"),
        (sme * story.npl).round(2).alias("sme_npl"),
        (all_loans * 0.008 + sme * story.npl).round(2).alias("all_npl"),
        (sme * 0.24).round(2).alias("individual_balance"),
        (pl.col("end_borrowers") * 0.4).round(0).cast(pl.Int64).alias("individual_borrowers"),
        (sme * 0.05).round(2).alias("foreign_trade_balance"),
        (sme * (0.09 + 0.01 * elapsed)).round(2).alias("technology_balance"),
        (sme * 0.07).round(2).alias("manufacturing_long_term"),
        (sme * 0.06).round(2).alias("consumption_balance"),
        # The revisions' figures: each version keeps those it carries.
        (sme * (0.38 + 0.01 * elapsed)).round(2).alias("private_balance"),
        (sme * 0.18).round(2).alias("hard_hit_balance"),
        (sme * 0.04).round(2).alias("specialised_balance"),
        (sme * (0.06 + 0.005 * elapsed)).round(2).alias("green_balance"),
        (sme * 0.14).round(2).alias("agri_balance"),
        (all_loans * 0.02).round(2).alias("large_credit_balance"),
        (pl.col("end_borrowers") * 0.01 + 1)
        .round(0)
        .cast(pl.Int64)
        .alias("large_credit_borrowers"),
        pl.lit(round(4.6 - 0.05 * index - 0.12 * elapsed, 2)).alias("financing_cost"),
        (sme * 0.0004 * quarter).round(2).alias("fees_ytd"),
        (sme * story.npl * 0.1 * quarter).round(2).alias("npl_write_off_ytd"),
    )
    spec = spec_for_period(SPEC_CODE, period)
    return rows.select(spec.column_keys)


def _accepted(officer: User, reviewer: User, request: ReturnRequest, frame: pl.DataFrame) -> None:
    """Upload, validate, sign (confirming every warning) and accept one return."""
    filing = _upload(officer, request, frame, f"{request.period}.xlsx")
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    if filing.status not in (FilingStatus.VALID, FilingStatus.NEEDS_CONFIRMATION):
        raise RuntimeError(f"demo return {request} did not validate: {filing.status}")
    warnings = RuleHit.objects.filter(filing=filing).values_list("code", flat=True)
    filings.filing_sign(officer, filing, {code: "演示数据，已核实" for code in warnings})
    filings.filing_accept(reviewer, filing, "演示：予以接收")


def load_demo() -> None:
    """Accepted returns for the demo banks; those already accepted are left as they are."""
    period = (
        ReturnRequest.objects.filter(spec_code=SPEC_CODE)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    if period is None or not periods.is_quarter(period):
        return
    year_end = periods.previous_year_end(period)
    year, quarter = periods.parse_quarter(period)
    history = [
        periods.year_before(period),
        year_end,
        *(periods.quarter_label(year, q) for q in range(1, quarter)),
    ]
    for code, note in WEAK_REGIONS:
        WeakRegion.objects.get_or_create(division_id=code, defaults={"note": note})
    reviewer = User.objects.get(email=REVIEWER)
    due = timezone.localdate() + timedelta(days=14)
    for index, story in enumerate(STORIES):
        code = credit_code_for(story.key, _head_office(story.key))
        institution = Institution.objects.get(credit_code=code)
        officer = _officer(institution, story.key)
        for each in [*history, period]:
            request = open_request(
                spec_code=SPEC_CODE,
                period=each,
                institution=institution,
                office=institution.office,
                due_date=due,
                source=RequestSource.SCHEDULE,
            )
            if request.filings.filter(is_current=True).exists():
                continue
            _accepted(officer, reviewer, request, _frame(story, index, each, year_end))


def _head_office(key: str) -> str:
    return next(head for k, _zh, _en, _kind, head, _branches in INSTITUTIONS if k == key)
