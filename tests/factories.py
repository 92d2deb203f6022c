"""Factories for the core models; tests build exactly the rows they need."""

import functools
import hashlib
import io
import itertools
from datetime import date, timedelta

import factory

from portal.identifiers import make_credit_code
from portal.models import Branch, Division, Institution, InstitutionKind, Membership, Office, User
from reporting.models import (
    Filing,
    FilingSource,
    FilingStatus,
    RequestSource,
    ReturnRequest,
    RuleHit,
)
from reporting.specs import rule_of

_serial = itertools.count(1)

PASSWORD = "a-long-test-password-1"


def credit_code(division: str = "350102") -> str:
    return make_credit_code("91", division, f"T{next(_serial):07d}")


def office(
    code: str,
    name_zh: str,
    parent: Office | None = None,
    level: int | None = None,
    name_en: str = "",
) -> Office:
    """An office in the tree: a root when ``parent`` is None."""
    fields = {
        "code": code,
        "name_zh": name_zh,
        "name_en": name_en or name_zh,
        "level": level or (parent.level + 1 if parent else 1),
    }
    if parent is None:
        made = Office.objects.add_root(fields)
    else:
        parent.refresh_from_db()
        made = Office.objects.add_child(parent, fields)
    Division.objects.get_or_create(
        code=code, defaults={"office": made, "name_zh": name_zh, "name_en": fields["name_en"]}
    )
    return made


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.django.Password(PASSWORD)


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    credit_code = factory.LazyFunction(credit_code)
    name_zh = factory.Sequence(lambda n: f"测试银行{n}")
    name_en = factory.Sequence(lambda n: f"Test Bank {n}")
    kind = InstitutionKind.CITY_COMMERCIAL


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    institution = factory.SubFactory(InstitutionFactory)
    credit_code = factory.LazyFunction(credit_code)
    name_zh = factory.Sequence(lambda n: f"测试支行{n}")
    name_en = factory.Sequence(lambda n: f"Test Branch {n}")


def member(role: str, **target) -> User:
    """A new user holding ``role`` at the given office, institution or branch."""
    user = UserFactory()
    Membership.objects.create(user=user, role=role, **target)
    return user


# -- returns ------------------------------------------------------------------------------


@functools.cache
def template_bytes(code: str = "SME-LOANS", version: str = "2025") -> bytes:
    """The spec's empty Excel template: a real workbook for filings that need a stored file.
    Built once per process; it is the slow part of a filing factory."""
    from reporting.specs import get_spec
    from reporting.workbooks import build_template

    return build_template(get_spec(code, version), generated=date(2025, 10, 1))


class ReturnRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnRequest

    spec_code = "SME-LOANS"
    spec_version = "2025"
    period = "2025Q3"
    institution = factory.SubFactory(InstitutionFactory)
    branch = None
    office = factory.LazyAttribute(lambda o: o.branch.office if o.branch else o.institution.office)
    due_date = date(2025, 10, 25)
    source = RequestSource.SCHEDULE


def _next_version(filing) -> int:
    if filing.check_only or filing.request is None:
        return 0
    return filing.request.filings.filter(check_only=False).count() + 1


class FilingFactory(factory.django.DjangoModelFactory):
    """A filing of its request with the spec's empty template as its stored file."""

    class Meta:
        model = Filing

    request = factory.SubFactory(ReturnRequestFactory)
    spec_code = factory.SelfAttribute("request.spec_code")
    spec_version = factory.SelfAttribute("request.spec_version")
    period = factory.SelfAttribute("request.period")
    institution = factory.SelfAttribute("request.institution")
    branch = factory.SelfAttribute("request.branch")
    check_only = False
    version = factory.LazyAttribute(_next_version)
    original_name = "return.xlsx"
    file = factory.django.FileField(
        filename="return.xlsx", from_func=lambda: io.BytesIO(template_bytes())
    )
    size = factory.LazyFunction(lambda: len(template_bytes()))
    sha256 = factory.LazyFunction(lambda: hashlib.sha256(template_bytes()).hexdigest())
    source = FilingSource.WEB
    uploaded_by = factory.SubFactory(UserFactory)
    status = FilingStatus.VALID
    phase = "done"
    progress = 100


class RuleHitFactory(factory.django.DjangoModelFactory):
    """One broken rule; class and severity follow the rule's own declaration."""

    class Meta:
        model = RuleHit

    filing = factory.SubFactory(FilingFactory)
    code = "SL-V101"
    rule_class = factory.LazyAttribute(
        lambda o: rule_of(o.filing.spec_code, o.filing.spec_version, o.code).rule_class
    )
    severity = factory.LazyAttribute(
        lambda o: rule_of(o.filing.spec_code, o.filing.spec_version, o.code).severity
    )
    count = factory.LazyAttribute(lambda o: len(o.examples))
    examples = factory.LazyFunction(list)


# -- dashboards ---------------------------------------------------------------------------


def accepted_loans(
    institution: Institution,
    rows: list[dict],
    period: str = "2025Q3",
    *,
    branch: Branch | None = None,
    spec_code: str = "SME-LOANS",
    version: str | None = None,
) -> Filing:
    """An accepted return (SME-LOANS unless told) in force for its period, its ``rows``
    (column key -> value; see ``tests.reporting.returns.loan_row``) stored as the pipeline
    stores them, and its lending rows written as acceptance writes them. ``version``: the
    spec version filed, else the one in force for the period."""
    from reporting.specs import get_spec, spec_for_period
    from supervision.dashboards import lending_rows

    spec = get_spec(spec_code, version) if version else spec_for_period(spec_code, period)
    request, _ = ReturnRequest.objects.get_or_create(
        spec_code=spec_code,
        period=period,
        institution=institution,
        branch=branch,
        source_ref="",
        defaults={
            "spec_version": spec.version,
            "office": branch.office if branch else institution.office,
            "due_date": date(2025, 10, 25),
            "source": RequestSource.SCHEDULE,
        },
    )
    request.filings.filter(is_current=True).update(is_current=False)
    filing = FilingFactory(request=request, status=FilingStatus.ACCEPTED, is_current=True)
    store_rows(filing, rows)
    lending_rows.record(Filing.objects.filter(pk=filing.pk))
    return filing


def store_rows(filing: Filing, rows: list[dict]) -> None:
    """The filing's ``rows`` (column key -> value) stored as the pipeline stores them."""
    from reporting.models import FilingRow
    from reporting.specs import get_spec

    spec = get_spec(filing.spec_code, filing.spec_version)
    FilingRow.objects.bulk_create(
        FilingRow(
            filing=filing,
            row=3 + offset,
            key="|".join(str(row[k]) for k in spec.key),
            data=[None if row.get(k) is None else str(row[k]) for k in spec.column_keys],
        )
        for offset, row in enumerate(rows)
    )
    filing.row_count = len(rows)
    filing.save(update_fields=["row_count"])


# -- screening --


def screening_row(county: str = "350102", **changes) -> dict:
    """One enterprise of a SCREENING-LIST, as its reader types it (codes for choices)."""
    row = {
        "credit_code": credit_code(county),
        "name": f"筛查企业{next(_serial)}",
        "entity_type": "enterprise",
        "size": "small",
        "industry": "C13",
        "county": county,
        "contact": "张晓明",
        "phone": "13800001234",
        "need_amount": 100.0,
        "need_term": 12.0,
        "purpose": "流动资金",
        "status": "declared",
    }
    row.update(changes)
    return row


def screening_task(user, office, counties: dict[str, int], **fields):
    """A task of ``office`` listing ``n`` enterprises in each county, through the service."""
    import polars as pl

    from supervision.screening import services as screening

    rows = [screening_row(county) for county, n in counties.items() for _ in range(n)]
    fields.setdefault("title", f"筛查任务{next(_serial)}")
    fields.setdefault("deadline", date.today() + timedelta(days=30))
    return screening.task_create(user, office, enterprises=pl.DataFrame(rows), **fields)


# -- evaluation -----------------------------------------------------------------------------


def accepted_return(institution: Institution, period: str = "2025Q3", rows=None) -> Filing:
    """An accepted return in force for ``institution`` (its generated rows unless given)."""
    from reporting import history

    filed = history.generated(institution, period)
    if rows is not None:
        filed = history.Filed(institution, period, rows)
    history.write([filed], UserFactory())
    return Filing.objects.get(
        institution=institution, branch=None, period=period, is_current=True, request__source_ref=""
    )


def scored_evaluation(institution: Institution, year: str = "2025", status: str = "", rows=None):
    """An institution's evaluation of ``year``, opened as the calendar opens it and scored
    from its accepted Q4 return, moved to ``status``."""
    from supervision.evaluation.models import Evaluation
    from supervision.evaluation.services import opens_on, score_institutions

    accepted_return(institution, f"{year}Q4", rows)
    only = Institution.objects.filter(pk=institution.pk)
    score_institutions(year, only, today=opens_on(int(year)))
    evaluation = Evaluation.objects.get(institution=institution, period=year)
    if status:
        evaluation.status = status
        evaluation.save(update_fields=["status"])
    return evaluation


# -- complaints ---------------------------------------------------------------------------


def pdf_bytes(text: str = "receipt") -> bytes:
    """A tiny file that starts as every PDF does; the portal reads only its first bytes."""
    return b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"


class ComplaintFactory(factory.django.DjangoModelFactory):
    """A complaint filed today against ``branch`` (required), due in 15 days."""

    class Meta:
        model = "supervision.Complaint"

    owner = factory.SubFactory(UserFactory)
    branch = None
    institution = factory.SelfAttribute("branch.institution")
    office = factory.SelfAttribute("branch.office")
    county = factory.LazyAttribute(lambda o: Division.objects.get(code=o.branch.office.code))
    reference = factory.Sequence(lambda n: f"TS20260101{n:06d}")
    category = "fees"
    enterprise_name = factory.Sequence(lambda n: f"测试企业{n}")
    enterprise_credit_code = factory.LazyFunction(credit_code)
    legal_representative = "张三"
    address = "福州市鼓楼区"
    contact_phone = "13800000000"
    description = "贷款时被要求购买理财产品"
    wish = "退还费用"
    due_on = factory.LazyFunction(lambda: date.today() + timedelta(days=15))


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "supervision.Attachment"

    complaint = None
    file = factory.django.FileField(filename="receipt.pdf", data=pdf_bytes())
    original_name = "receipt.pdf"
    content_type = "application/pdf"
    size = len(pdf_bytes())
    sha256 = hashlib.sha256(pdf_bytes()).hexdigest()
    uploaded_by = factory.SelfAttribute("complaint.owner")


# -- escalation --------------------------------------------------------------------------

_cause_serial = itertools.count(1)


def cause(
    institution: Institution,
    *,
    branch: Branch | None = None,
    office: Office | None = None,
    kind: str = "low-grade",
    measure: int | str | None = None,
    key: str | None = None,
    summary: str = "",
):
    """A Cause found against ``institution`` (or its ``branch``), at the office supervising it;
    unless ``measure`` is given, one that raises a case under the national default rules."""
    from decimal import Decimal

    from supervision.causes import Cause
    from supervision.escalation.rules import DEFAULT_RULES

    if measure is None:
        measure = max(Decimal(4), DEFAULT_RULES.get(kind, (Decimal(4),))[0])

    serial = next(_cause_serial)
    office = office or (branch.office if branch else institution.office)
    return Cause(
        kind=kind,
        key=key or f"test-{kind}:{serial}",
        institution_id=institution.pk,
        branch_id=branch.pk if branch else None,
        office_id=office.pk,
        measure=Decimal(measure),
        summary=summary or f"{kind} #{serial}",
        evidence_url=f"/evidence/{serial}/",
        occurred_on=date(2026, 1, 15),
    )
