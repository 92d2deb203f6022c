"""The scheme reads the bank's accepted SME credit plan (its whole-bank line), not a figure the
office typed; a year whose plan the office typed before banks filed theirs keeps its typed
figure until the bank's own plan is accepted."""

from datetime import date
from decimal import Decimal as D

import pytest

from portal.models import Institution, OutboxMessage, Role
from reporting import filings, pipeline
from reporting.models import FilingStatus
from reporting.specs import get_spec
from supervision.evaluation import scheme as schemes
from supervision.evaluation.inputs import gather
from supervision.evaluation.models import Arrangement
from tests import factories as f
from tests.reporting.returns import open_request, upload, workbook

pytestmark = pytest.mark.django_db

PLAN = get_spec("SME-CREDIT-PLAN")


@pytest.fixture
def bank():
    gb = f.office("000000", "总局")
    f.office("350000", "福建局", gb)
    return f.InstitutionFactory(office=gb)


def _accept_plan(tmp_path, bank, increment: int) -> None:
    rows = [
        {"line": "bank", "plan_increment": increment, "credit_plan": 100, "first_loan_plan": 50},
        {"line": "region", "region": "350000", "plan_increment": increment,
         "credit_plan": 100, "first_loan_plan": 50},
    ]  # fmt: skip
    request = open_request(bank, PLAN, period="2025")
    filing = upload(
        f.member(Role.PREPARER, institution=bank),
        request,
        workbook(tmp_path / "plan.xlsx", rows, PLAN),
    )
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    filings.filing_sign(f.member(Role.APPROVER, institution=bank), filing, {})
    filings.filing_accept(f.member(Role.REVIEWER, office=bank.office), filing)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.ACCEPTED


def _plan_read(bank, version: str) -> D | None:
    values, _, _ = gather(
        schemes.load(version), "2025Q4", Institution.objects.filter(pk=bank.pk), date(2026, 2, 1)
    )
    return values.get(bank.pk, {}).get("credit_plan")


@pytest.mark.parametrize("version", ["2023", "2025"])
def test_the_scheme_reads_the_accepted_plan_over_the_typed_one(tmp_path, bank, version):
    Arrangement.objects.create(institution=bank, year=2025, typed_credit_plan=D(1000))
    assert _plan_read(bank, version) == D(1000)  # typed by the office before banks filed
    _accept_plan(tmp_path, bank, 5000)
    assert _plan_read(bank, version) == D(5000)  # the whole-bank line, not twice with a region


def test_an_accepted_plan_scores_the_year_again(tmp_path, bank, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _accept_plan(tmp_path, bank, 5000)
    queued = OutboxMessage.objects.filter(task="supervision.tasks.evaluation.score_institution")
    assert [m.args for m in queued] == [[bank.pk, "2025Q4"]]
