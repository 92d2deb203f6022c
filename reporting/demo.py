"""Demo returns: the last quarter's requests for every demo bank and insurer, and filings in
every state, made through the same services and pipeline that real uploads go through."""

import tempfile
from datetime import timedelta
from pathlib import Path

import polars as pl
from django.core.files import File
from django.db.models import Q
from django.utils import timezone

from portal.models import Membership, User
from reporting import filings, generation, periods, pipeline, schedule, synthetic
from reporting.models import Filing, FilingSource, RequestSource, ReturnRequest
from reporting.specs import get_spec


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _upload(user: User, request: ReturnRequest, frame: pl.DataFrame, name: str) -> Filing:
    spec = get_spec(request.spec_code, request.spec_version)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        synthetic.write_return(spec, frame, path)
        with path.open("rb") as handle:
            return filings.filing_upload(
                user, request, File(handle), name=name, source=FilingSource.WEB
            )


def _frame(request: ReturnRequest, **changes) -> pl.DataFrame:
    """The filer's clean return (``generation``: its counties, its year-end carried into the
    start of the year), with ``changes`` made to every row."""
    target = generation.for_request(request)
    frame = target.frame(min(target.most_rows or 20, 20))
    return frame.with_columns(pl.lit(v).alias(k) for k, v in changes.items())


def _request_of(email: str, code: str, period: str) -> ReturnRequest:
    member = Membership.objects.filter(user__email=email).first()
    assert member is not None, f"no demo user {email}"
    if member.institution_id:
        filer = Q(institution=member.institution)
    else:
        assert member.branch is not None, f"{email} is not a bank officer"
        filer = Q(institution=member.branch.institution)
    found = ReturnRequest.objects.filter(filer, spec_code=code, period=period, branch=None).first()
    assert found is not None, f"no {code} request for {period} to {email}"
    return found


def load_demo() -> None:
    """Requests and filings in every state; skipped when filings exist already."""
    today = timezone.localdate()
    schedule.open_periodic_requests(today)
    if Filing.objects.exists():
        return
    quarters = ReturnRequest.objects.filter(period__contains="Q")  # not the year's plans
    period = quarters.order_by("-period").values_list("period", flat=True).first()
    assert period is not None, "the schedule opened no request"
    # The demo's deadline was extended, so that its filings are on time.
    ReturnRequest.objects.filter(period=period).update(due_date=today + timedelta(days=14))
    reviewer = _user("fj.reviewer@demo.portal")

    # CIB: version 1 had errors; version 2 a warning the approver confirmed; accepted.
    cib = _request_of("cib.preparer@demo.portal", "SME-LOANS", period)
    preparer = _user("cib.preparer@demo.portal")
    _validated(preparer, cib, _frame(cib, credit_balance=99_999_999.0), "cib-v1.xlsx")
    second = _validated(preparer, cib, _frame(cib, issued_rate=0.0385), "cib-v2.xlsx")
    filings.filing_sign(_user("cib.approver@demo.portal"), second, {"SL-Q201": "已核实"})
    filings.filing_accept(reviewer, second, "数据完整，予以接收")

    # Quanzhou Bank: version 1 signed and returned by the reviewer; version 2 has a warning
    # waiting for the approver's confirmation.
    qzb = _request_of("qzb.preparer@demo.portal", "SME-LOANS", period)
    preparer = _user("qzb.preparer@demo.portal")
    first = _validated(preparer, qzb, _frame(qzb), "qzb-v1.xlsx")
    filings.filing_sign(_user("qzb.approver@demo.portal"), first, {})
    filings.filing_return(reviewer, first, "请补充科技型企业贷款口径说明后重报")
    # Its total financing cost below its rate: a warning (SL-Q205), the start of the year
    # left as the year-end's (a changed start would be an error against it).
    _validated(preparer, qzb, _frame(qzb, financing_cost=1.0), "qzb-v2.xlsx")

    # PICC: valid, not yet signed.
    picc = _request_of("picc.preparer@demo.portal", "SME-INSURANCE", period)
    _validated(
        _user("picc.preparer@demo.portal"),
        picc,
        _frame(picc),
        "picc.xlsx",
    )

    # ICBC Gulou branch: signed, awaiting review by the Fuzhou sub-bureau.
    member = Membership.objects.select_related("branch__institution", "branch__office").get(
        user__email="icbc.gulou.preparer@demo.portal"
    )
    branch = member.branch
    assert branch is not None, "the Gulou preparer is a branch's officer"
    gulou = schedule.open_request(
        spec_code="SME-LOANS",
        period=period,
        institution=branch.institution,
        branch=branch,
        office=branch.office,
        due_date=today + timedelta(days=14),
        source=RequestSource.OFFICE,
    )
    filed = _validated(member.user, gulou, _frame(gulou), "gulou.xlsx")
    filings.filing_sign(_user("icbc.gulou.approver@demo.portal"), filed, {})

    # Quanzhou Bank's overdue return for the quarter before: left for the worker started
    # beside the web server, so that a newcomer sees it validated live.
    earlier = schedule.open_request(
        spec_code="SME-LOANS",
        period=periods.previous_quarter(period),
        institution=qzb.institution,
        office=qzb.office,
        due_date=today - timedelta(days=30),
        source=RequestSource.SCHEDULE,
    )
    _upload(preparer, earlier, _frame(earlier), "qzb-late.xlsx")


def _validated(user: User, request: ReturnRequest, frame: pl.DataFrame, name: str) -> Filing:
    filing = _upload(user, request, frame, name)
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    return filing
