"""The evaluation's demo: accepted returns for every demo institution (beside the returns demo's
own filings for the latest quarter) for the Q4s of the two years evaluated and the one before,
and for every quarter since; the offices' arrangements (credit plans typed before banks filed
theirs; one rural bank under risk resolution); the Fujian bureau's target group of its local
legal-person banks for both years (the 2025 notice III(III)); every quarter scored as monitoring
and both years opened as the calendar opens them; and the cycle in each of its states: the year
before's results archived; the latest year's Industrial Bank notified (its officers read their
scorecard), Jinjiang Rural Commercial Bank confirmed at a low grade (a cause for escalation),
Fujian Haixia Bank and Xianyou Rural Commercial Bank under review, the rest in self-assessment.
The Fujian bureau has drawn a data sample of the latest quarter: one row confirmed, one
corrected by the bank, one misreported."""

from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from portal.models import Institution, Membership, Office, Role, User
from reporting import history
from reporting.models import ReturnRequest
from reporting.periods import parse_quarter, quarter_label
from supervision.evaluation import cycle, sampling
from supervision.evaluation import scheme as schemes
from supervision.evaluation.models import (
    Arrangement,
    Evaluation,
    GroupRule,
    SampleFinding,
    TargetGroup,
)
from supervision.evaluation.selectors import current_result
from supervision.evaluation.services import opens_on, score_institutions

RISK_RESOLUTION = "福建仙游农村商业银行股份有限公司"
NOTIFIED = "兴业银行股份有限公司"
LOW_GRADE = "福建晋江农村商业银行股份有限公司"
UNDER_REVIEW = ("福建海峡银行股份有限公司", RISK_RESOLUTION)


def demo_periods(today: date | None = None) -> tuple[int, list[str]]:
    """The latest year the calendar has opened, and the quarters the demo files: the Q4s of
    that year, the year before and the one before that, and every quarter since the start of
    that year up to the latest the returns demo requested."""
    latest = (
        ReturnRequest.objects.filter(spec_code="SME-LOANS")
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    assert latest is not None, "the returns demo, loaded first, requested SME-LOANS returns"
    today = today or timezone.localdate()
    last, number = parse_quarter(latest)
    year = last if number == 4 else last - 1
    while opens_on(year) > today:
        year -= 1
    periods = {quarter_label(year - 2, 4), quarter_label(year - 1, 4)}
    periods |= {quarter_label(y, q) for y in (year, year + 1) for q in range(1, 5)}
    return year, sorted(p for p in periods if p <= latest)


def load_demo() -> None:
    """Skipped when evaluations exist already."""
    if Evaluation.objects.exists() or not ReturnRequest.objects.exists():
        return
    year, periods = demo_periods()
    institutions = list(Institution.objects.select_related("office").order_by("pk"))
    reviewer = User.objects.get(email="fj.reviewer@demo.portal")
    places = history.lending_places(institutions)
    history.write(
        [history.generated(i, period, places[i.pk]) for period in periods for i in institutions],
        reviewer,
    )
    for each in (year - 1, year):
        for institution in institutions:
            Arrangement.objects.get_or_create(
                institution=institution,
                year=each,
                defaults={
                    "typed_credit_plan": Decimal(1000),
                    "differentiated": institution.name_zh == RISK_RESOLUTION,
                    "reason": "风险处置" if institution.name_zh == RISK_RESOLUTION else "",
                },
            )
    _group(year)
    for period in periods:
        if not period.startswith(str(year - 2)):  # the base of the year before, no more
            score_institutions(period)
    for each in (year - 1, year):
        score_institutions(str(each))

    _cycle(str(year - 1), str(year))
    _sample(periods[-1])


def _group(year: int) -> None:
    fujian = Office.objects.filter(code="350000").first()
    if fujian is None:
        return
    head = User.objects.get(email="fj.head@demo.portal")
    for each in (year - 1, year):
        TargetGroup.objects.get_or_create(
            office=fujian,
            year=each,
            name="福建辖内地方法人银行",
            defaults={"rule": GroupRule.LOCAL_LEGAL_PERSON, "target": Decimal(10), "set_by": head},
        )


def _office_people(evaluation: Evaluation) -> tuple[User, User]:
    """A reviewer (or head) and a head of an office above the institution's own."""
    path = evaluation.institution.office.path
    above = [path[:n] for n in range(4, len(path) + 1, 4)]
    members = Membership.objects.filter(office__path__in=above).select_related("user")
    heads = [m.user for m in members.order_by("-office__depth") if m.role == Role.HEAD]
    reviewers = [m.user for m in members.order_by("-office__depth") if m.role == Role.REVIEWER]
    return (reviewers or heads)[0], heads[0]


def _review(evaluation: Evaluation, reviewer: User, points: str) -> None:
    """Every qualitative item at ``points`` of its maximum; an indicator the data cannot score
    (last year's return was never filed) set by hand with the reason."""
    scheme = schemes.load(evaluation.scheme_version)
    evaluation.refresh_from_db()
    if evaluation.status == "self_assessment":
        cycle.start_review(reviewer, evaluation)
    for item in scheme.qualitative_items(evaluation.institution.kind):
        given = (item.points * Decimal(points)).quantize(Decimal("0.01"))
        cycle.review_item(reviewer, evaluation, item.code, given, "现场核实")
    evaluation.refresh_from_db()
    result = current_result(evaluation)
    assert result is not None, "reviewing rescored it"
    for line in result.missing:
        cycle.adjust(
            reviewer,
            evaluation,
            line.code,
            line.max_points / 2,
            "上年末报表未报送，按现场核查情况核定",
        )


def _confirmed(evaluation: Evaluation, points: str, notify: bool) -> None:
    reviewer, head = _office_people(evaluation)
    _review(evaluation, reviewer, points)
    cycle.confirm(head, evaluation)
    if notify:
        cycle.notify_bank(reviewer, evaluation)


def _self_assessed(evaluation: Evaluation) -> None:
    """The bank's own points and its approver's submission, where the bank has officers."""
    officers = Membership.objects.filter(institution=evaluation.institution)
    preparer = officers.filter(role=Role.PREPARER).first()
    approver = officers.filter(role=Role.APPROVER).first()
    if not (preparer and approver):
        return
    scheme = schemes.load(evaluation.scheme_version)
    for item in scheme.qualitative_items(evaluation.institution.kind):
        cycle.self_assess(preparer.user, evaluation, item.code, item.points, "详见制度文件")
    cycle.submit_self_assessment(approver.user, evaluation)


def _cycle(last_year: str, latest: str) -> None:
    for evaluation in Evaluation.objects.filter(period=last_year).select_related("institution"):
        _confirmed(evaluation, "0.8", notify=True)
        reviewer, _ = _office_people(evaluation)
        cycle.archive(reviewer, evaluation)
    now = Evaluation.objects.filter(period=latest).select_related("institution__office")
    notified = now.filter(institution__name_zh=NOTIFIED).first()
    if notified:
        _self_assessed(notified)
        _confirmed(notified, "0.9", notify=True)
    low = now.filter(institution__name_zh=LOW_GRADE).first()
    if low:
        _confirmed(low, "0", notify=False)
    for evaluation in now.filter(Q(institution__name_zh__in=UNDER_REVIEW)):
        reviewer, _ = _office_people(evaluation)
        cycle.start_review(reviewer, evaluation)


def _sample(period: str) -> None:
    reviewer = User.objects.get(email="fj.reviewer@demo.portal")
    fujian = Membership.objects.get(user=reviewer).office
    assert fujian is not None, "the demo's Fujian reviewer is a member of its office"
    sample = sampling.draw(reviewer, fujian, period, 2, seed=2026)
    rows = list(sample.rows.select_related("institution").order_by("pk"))
    findings = [
        (SampleFinding.CONFIRMED, ""),
        (SampleFinding.CORRECTED, "银行已更正首贷户数，重报后一致"),
        (SampleFinding.MISREPORTED, "信用贷款余额含抵押贷款，与信贷台账不符"),
    ]
    for row, (finding, note) in zip(rows[::2], findings, strict=False):
        sampling.record(reviewer, row, finding, note)
