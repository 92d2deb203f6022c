"""Every return spec, by code and version. Adding a spec is adding it to ``ALL``."""

from reporting import rulebook
from reporting.spec import ReturnSpec, Rule
from reporting.specs.credit_plan import SME_CREDIT_PLAN_2025
from reporting.specs.screening import SCREENING_LIST_2025, SCREENING_RESULT_2025
from reporting.specs.sme_insurance import SME_INSURANCE_2025, SME_INSURANCE_2025_2
from reporting.specs.sme_loans import (
    SME_LOANS_2023,
    SME_LOANS_2023_2,
    SME_LOANS_2025,
    SME_LOANS_2025_2,
)

ALL: tuple[ReturnSpec, ...] = (
    SME_LOANS_2023,
    SME_LOANS_2025,
    SME_LOANS_2023_2,
    SME_LOANS_2025_2,
    SME_INSURANCE_2025,
    SME_INSURANCE_2025_2,
    SCREENING_LIST_2025,
    SCREENING_RESULT_2025,
    SME_CREDIT_PLAN_2025,
)
_BY_IDENT = {(s.code, s.version): s for s in ALL}


def get_spec(code: str, version: str | None = None) -> ReturnSpec:
    """The spec of that code and version; without a version, the newest."""
    if version is None:
        return max((s for s in ALL if s.code == code), key=lambda s: s.version)
    return _BY_IDENT[(code, version)]


def spec_for_period(code: str, period: str) -> ReturnSpec:
    """The version in force for a period label like ``2024Q3``: the newest effective by then."""
    candidates = [s for s in ALL if s.code == code and s.effective_from[:4] <= period[:4]]
    return max(candidates or [get_spec(code)], key=lambda s: s.version)


def codes() -> list[str]:
    return sorted({s.code for s in ALL})


def rule_of(code: str, version: str, rule_code: str) -> Rule:
    """A rule by its code: the spec's own, else a shared one from the rulebook."""
    for spec_rule in get_spec(code, version).rules:
        if spec_rule.code == rule_code:
            return spec_rule
    return rulebook.rule(rule_code)
