"""Raising escalation cases: the rules (thresholds, inherited per office), causes of one
institution joining its open case, a key never raising twice, the cause_found signal, the
providers collected by the sweep, and overdue returns as a cause."""

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from reporting.models import FilingStatus
from supervision import causes
from supervision.escalation import climbing, raising
from supervision.escalation import rules as escalation_rules
from supervision.escalation.models import Case, CaseStatus, CauseKind, EscalationRule, EventVerb
from tests import factories as f


@pytest.fixture
def bank(matrix):
    return f.InstitutionFactory(name_zh="规则测试银行", office=matrix.p1)


@pytest.fixture
def branch(matrix, bank):
    return f.BranchFactory(institution=bank, office=matrix.county_a)


@pytest.fixture
def provider(monkeypatch):
    """Register a fake provider of one kind for the test (removed afterwards)."""
    found: dict[str, list] = {}

    def register(kind: str, listed: list) -> None:
        found[kind] = listed
        monkeypatch.setitem(causes._PROVIDERS, kind, lambda as_of: list(found[kind]))

    return register


def test_the_defaults_raise_at_grade_three_and_not_at_grade_two(bank):
    assert EscalationRule.objects.filter(office=None).count() == len(escalation_rules.DEFAULT_RULES)
    assert raising.escalation_raise(f.cause(bank, measure=2)) is None
    case = raising.escalation_raise(f.cause(bank, measure=3))
    assert case.office == bank.office and case.status == CaseStatus.OPEN


def test_an_office_rule_overrides_the_default_for_its_subtree(matrix, bank, branch):
    EscalationRule.objects.create(
        office=matrix.city1,
        kind="low-grade",
        threshold=Decimal(4),
        county_days=5,
        prefecture_days=5,
        province_days=5,
        general_days=5,
    )
    # Under the city: only grade 4 raises, and the county has five days.
    assert raising.escalation_raise(f.cause(bank, branch=branch, measure=3)) is None
    case = raising.escalation_raise(f.cause(bank, branch=branch, measure=4))
    assert case.deadline - case.opened_at == timedelta(days=5)
    # The province above the city keeps the national default.
    assert raising.escalation_raise(f.cause(bank, measure=3)) is not None


def test_a_switched_off_rule_raises_nothing(matrix, bank):
    EscalationRule.objects.create(
        office=matrix.p1,
        kind="misreported-data",
        is_active=False,
        threshold=Decimal(1),
        county_days=5,
        prefecture_days=5,
        province_days=5,
        general_days=5,
    )
    assert raising.escalation_raise(f.cause(bank, kind="misreported-data", measure=9)) is None


def test_a_second_cause_joins_the_open_case_and_a_key_never_raises_twice(matrix, bank):
    first = raising.escalation_raise(f.cause(bank, key="evaluation-result:1"))
    second = raising.escalation_raise(
        f.cause(bank, kind="substantive-complaints", measure=5, key="complaints:2026Q1")
    )
    assert second == first
    assert sorted(first.causes.values_list("kind", flat=True)) == [
        "low-grade",
        "substantive-complaints",
    ]
    assert [e.verb for e in first.events.all()] == [EventVerb.RAISED, EventVerb.JOINED]
    assert raising.escalation_raise(f.cause(bank, key="evaluation-result:1")) is None

    # Closed, the case takes no further cause: a new one opens another case, but the old key
    # still raises nothing.
    Case.objects.filter(pk=first.pk).update(status=CaseStatus.CLOSED)
    assert raising.escalation_raise(f.cause(bank, key="evaluation-result:1")) is None
    again = raising.escalation_raise(f.cause(bank, key="evaluation-result:2"))
    assert again is not None and again != first
    assert Case.objects.filter(institution=bank).count() == 2


def test_a_branch_and_its_institution_have_cases_of_their_own(bank, branch):
    own = raising.escalation_raise(f.cause(bank))
    at_branch = raising.escalation_raise(f.cause(bank, branch=branch))
    assert own != at_branch and at_branch.office == branch.office


def test_cause_found_raises_at_once(matrix, bank):
    found = f.cause(bank, key="complaint:88:overdue", kind="complaint-overdue", measure=3)
    causes.cause_found.send(sender=None, causes=[found])
    case = Case.objects.get(institution=bank)
    assert case.causes.get().key == "complaint:88:overdue"


def test_the_sweep_collects_every_providers_causes_once(matrix, bank, branch, provider):
    provider("screening-overdue", [f.cause(bank, kind="screening-overdue", measure=10)])
    provider(
        "complaint-rejected",
        [
            f.cause(bank, branch=branch, kind="complaint-rejected", measure=1),
            f.cause(bank, branch=branch, kind="complaint-rejected", measure=0),  # below
        ],
    )
    first = climbing.sweep()
    assert first.raised == 2
    assert climbing.sweep().raised == 0
    assert Case.objects.filter(institution=bank).count() == 2


def test_an_unfiled_return_past_due_becomes_a_return_overdue_case(matrix, bank):
    today = timezone.localdate()
    late = f.ReturnRequestFactory(institution=bank, period="2026Q1", due_date=today - timedelta(20))
    young = f.ReturnRequestFactory(institution=bank, period="2026Q2", due_date=today - timedelta(3))
    filed = f.ReturnRequestFactory(
        institution=bank, period="2025Q4", due_date=today - timedelta(40)
    )
    f.FilingFactory(request=filed, status=FilingStatus.ACCEPTED)
    listed = {c.key: c for c in causes.current("return-overdue", timezone.now())}
    assert f"return-request:{late.pk}:overdue" in listed
    assert listed[f"return-request:{late.pk}:overdue"].measure == Decimal(20)
    assert listed[f"return-request:{young.pk}:overdue"].measure == Decimal(3)
    assert f"return-request:{filed.pk}:overdue" not in listed

    climbing.collect_causes()
    case = Case.objects.get(institution=bank)
    # Only the return 20 days late passes the default threshold of 15 days.
    assert [c.key for c in case.causes.all()] == [f"return-request:{late.pk}:overdue"]
    assert case.causes.get().evidence_url == f"/returns/requests/{late.pk}/"


def test_a_failing_provider_does_not_stop_the_others(matrix, bank, provider, monkeypatch, caplog):
    def broken(as_of):
        raise RuntimeError("complaints table unreachable")

    monkeypatch.setitem(causes._PROVIDERS, "complaint-overdue", broken)
    provider("screening-overdue", [f.cause(bank, kind="screening-overdue", measure=10)])
    assert climbing.sweep().raised == 1
    assert Case.objects.filter(institution=bank, kind="screening-overdue").exists()
    assert "complaint-overdue" in caplog.text


def test_a_cause_that_cannot_be_raised_does_not_fail_its_sender(matrix, bank, caplog):
    lost = dataclasses.replace(f.cause(bank), office_id=999_999)  # an office that is gone
    causes.cause_found.send(sender=None, causes=[lost])
    assert not Case.objects.filter(institution=bank).exists()
    assert "could not raise" in caplog.text


def test_every_kind_of_cause_has_its_provider_once_the_app_is_ready():
    """The capabilities' receivers import their providers explicitly: a provider left out of
    the wiring would leave its kind of case unraised by every sweep, silently."""
    assert set(causes.kinds()) == set(CauseKind.values)
