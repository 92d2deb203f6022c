"""The public side of the demo: the statistics releases of this quarter, the last and the
latest quarter with accepted lending returns, one typical case published by the Fujian
bureau and one waiting for its head. Running it again adds no case and rebuilds the releases."""

from django.contrib.auth import get_user_model

from portal.models import Office
from reporting import periods
from reporting.models import Filing, FilingStatus
from supervision.publication import services
from supervision.publication.models import CaseSource, TypicalCase

CASES = [
    (
        "fj.reviewer@demo.portal",
        "350000",
        True,
        "“白名单”企业首贷落地",
        "First loans for listed enterprises",
        "县支局走访辖内小微企业，将 30 家有融资需求的企业推送给银行，两周内 21 家获得首笔贷款，"
        "其中信用贷款占六成。",
        "A county office visited small firms and passed 30 with a financing need to banks; "
        "within two weeks 21 had their first loan, six in ten of them unsecured.",
    ),
    (
        "fz.reviewer@demo.portal",
        "350100",
        False,
        "续贷不再“先还后贷”",
        "Renewal without repaying first",
        "一家小微企业投诉续贷须先还本金，经监管部门协调，银行改为无还本续贷并修订内部流程。",
        "A small firm complained that renewal required repaying the principal first; after the "
        "office stepped in, the bank renewed without repayment and changed its procedure.",
    ),
]


def load_demo() -> None:
    users = get_user_model().objects
    approver = users.get(email="fj.head@demo.portal")
    for email, office_code, approve, title_zh, title_en, body_zh, body_en in CASES:
        if TypicalCase.objects.filter(title_zh=title_zh).exists():
            continue
        case = services.write_case(
            users.get(email=email),
            Office.objects.get(code=office_code),
            source=CaseSource.SCREENING,
            complaint_reference="",
            consent=False,
            consent_note="",
            title_zh=title_zh,
            title_en=title_en,
            body_zh=body_zh,
            body_en=body_en,
        )
        if approve:
            services.approve_case(approver, case)
    lending = Filing.objects.filter(spec_code="SME-LOANS", status=FilingStatus.ACCEPTED)
    latest = lending.order_by("-period").values_list("period", flat=True).first()
    built = services.build_current()
    if latest and periods.is_quarter(latest) and latest not in built:
        services.build_release(latest)
