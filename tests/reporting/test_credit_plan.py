"""The annual SME credit plan is a return like every other, driven by its spec: the bank files
one whole-bank line with its credit-loan and first-loan sub-plans, a national bank also one line per
region; sub-plans above the plan, a missing whole-bank line and regions that do not add up to
it are errors that block the filing."""

import pytest

from portal.models import InstitutionKind, Role
from reporting import pipeline
from reporting.models import FilingStatus
from reporting.reader import read_return
from reporting.rules import Context, apply_rules
from reporting.specs import get_spec, spec_for_period
from tests import factories as f
from tests.reporting.returns import open_request, upload, workbook

pytestmark = pytest.mark.django_db

PLAN = get_spec("SME-CREDIT-PLAN")
BANK = {"line": "bank", "plan_increment": 5000, "credit_plan": 1500, "first_loan_plan": 800}


def _region(code: str, plan: int, credit: int, first: int) -> dict:
    return {
        "line": "region",
        "region": code,
        "plan_increment": plan,
        "credit_plan": credit,
        "first_loan_plan": first,
    }


@pytest.fixture
def bank():
    """A national bank supervised from the top, with two provinces to break its plan down by."""
    gb = f.office("000000", "总局")
    f.office("350000", "福建局", gb)
    f.office("110000", "北京局", gb)
    return f.InstitutionFactory(office=gb, kind=InstitutionKind.LARGE)


def _filed(tmp_path, bank, rows):
    request = open_request(bank, PLAN, period="2025")
    preparer = f.member(Role.PREPARER, institution=bank)
    filing = upload(preparer, request, workbook(tmp_path / "plan.xlsx", rows, PLAN))
    pipeline.run(filing.pk)
    filing.refresh_from_db()
    return filing, set(filing.hits.exclude(severity="note").values_list("code", flat=True))


def test_the_plan_is_a_yearly_return_of_banks():
    assert spec_for_period("SME-CREDIT-PLAN", "2025") == PLAN
    assert (PLAN.period_kind, PLAN.filer) == ("year", "bank")


def _local(bank):
    bank.kind = InstitutionKind.CITY_COMMERCIAL
    bank.save(update_fields=["kind"])
    return bank


def test_a_local_bank_files_its_whole_bank_line_alone(tmp_path, bank):
    _local(bank)
    filing, hits = _filed(tmp_path, bank, [BANK])
    assert filing.status == FilingStatus.VALID and not hits


def test_a_national_bank_without_its_regional_breakdown_is_refused(tmp_path, bank):
    filing, hits = _filed(tmp_path, bank, [BANK])
    assert filing.status == FilingStatus.REJECTED and hits == {"CP-V108"}
    assert filing.hits.get(code="CP-V108").count == 1  # the whole-bank line, once


def test_the_breakdown_rule_names_national_banks_and_needs_the_filer_to_apply(tmp_path):
    rule = next(r for r in PLAN.rules if r.code == "CP-V108")
    national = {InstitutionKind.POLICY, InstitutionKind.LARGE, InstitutionKind.JOINT_STOCK}
    assert rule.filers == national
    table = read_return(workbook(tmp_path / "plan.xlsx", [BANK], PLAN), PLAN)
    # Checked offline (no filer known), the rule is not applied rather than guessed.
    assert "CP-V108" not in {hit.rule.code for hit in apply_rules(table, Context.defaults())}


def test_a_national_bank_breaks_it_down_by_region(tmp_path, bank):
    regions = [_region("350000", 3000, 1000, 500), _region("110000", 2000, 500, 300)]
    filing, hits = _filed(tmp_path, bank, [BANK, *regions])
    assert filing.status == FilingStatus.VALID and not hits


def test_regions_that_do_not_add_up_are_refused(tmp_path, bank):
    regions = [_region("350000", 3000, 1000, 500), _region("110000", 1000, 500, 300)]
    filing, hits = _filed(tmp_path, bank, [BANK, *regions])
    assert filing.status == FilingStatus.REJECTED and hits == {"CP-V105"}


def test_sub_plans_above_the_plan_and_a_missing_whole_bank_line_are_refused(tmp_path, bank):
    _local(bank)
    _, hits = _filed(tmp_path, bank, [BANK | {"credit_plan": 6000, "first_loan_plan": 5001}])
    assert hits == {"CP-V101", "CP-V102"}
    _, hits = _filed(tmp_path, bank, [_region("350000", 3000, 1000, 500)])
    assert hits == {"CP-V104"}
    _, hits = _filed(tmp_path, bank, [BANK | {"region": "350000"}])
    assert hits == {"CP-V103"}


def test_the_calendar_asks_each_bank_for_the_year_s_plan_at_its_start(bank, settings):
    from datetime import date, timedelta

    from reporting import schedule
    from reporting.models import ReturnRequest

    insurer = f.InstitutionFactory(office=bank.office, kind="insurer")
    schedule.open_periodic_requests(date(2025, 1, 3))
    plans = ReturnRequest.objects.filter(spec_code="SME-CREDIT-PLAN", period="2025")
    assert list(plans.values_list("institution_id", flat=True)) == [bank.pk]
    assert plans.get().due_date == date(2025, 1, 1) + timedelta(
        days=settings.PORTAL_RETURN_DUE_DAYS
    )
    assert not plans.filter(institution=insurer).exists()
    schedule.open_periodic_requests(date(2025, 4, 2))  # past due: the calendar asks no more
    assert plans.count() == 1
