"""The evaluation's demo: a year and a quarter of accepted returns for every demo institution
(beside the returns demo's own filings for the latest quarter), the offices' arrangements
(credit plans; one rural bank under risk resolution), and every period scored."""

from decimal import Decimal

from portal.models import Institution, User
from reporting.models import ReturnRequest
from reporting.periods import previous_quarter
from supervision import filed_returns
from supervision.evaluation import score_institutions
from supervision.models.evaluation import Arrangement, Evaluation

QUARTERS = 5  # the latest and the four before it: a year-on-year comparison and a trend
RISK_RESOLUTION = "福建仙游农村商业银行股份有限公司"


def demo_periods() -> list[str]:
    latest = (
        ReturnRequest.objects.filter(spec_code="SME-LOANS")
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    periods = [latest]
    while len(periods) < QUARTERS:
        periods.append(previous_quarter(periods[-1]))
    return sorted(periods)


def load_demo() -> None:
    """Skipped when evaluations exist already."""
    if Evaluation.objects.exists() or not ReturnRequest.objects.exists():
        return
    periods = demo_periods()
    institutions = list(Institution.objects.select_related("office").order_by("pk"))
    reviewer = User.objects.get(email="fj.reviewer@demo.portal")
    filed_returns.write(
        [filed_returns.generated(i, period) for period in periods for i in institutions],
        reviewer,
    )
    year = int(periods[-1][:4])
    for institution in institutions:
        Arrangement.objects.get_or_create(
            institution=institution,
            year=year,
            defaults={
                "credit_plan": Decimal(1000),
                "differentiated": institution.name_zh == RISK_RESOLUTION,
                "reason": "风险处置" if institution.name_zh == RISK_RESOLUTION else "",
            },
        )
    for period in periods:
        score_institutions(period)
