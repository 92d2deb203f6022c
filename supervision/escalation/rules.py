"""The escalation rules: per cause, the measure at which a case is raised and the days each
level of office has to act before the case climbs. The domain's national defaults apply
unless an office sets its own, which its subtree follows; heads of the office or above set
or drop it.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from portal import audit, scoping
from portal.models import Office, Role
from supervision.escalation.models import CauseKind, EscalationRule

# The domain's defaults (docs: domain notes, section 8): kind -> (threshold, days to act at a
# county office, a sub-bureau, a provincial bureau, the General Bureau). Offices override them
# with rules of their own.
DEFAULT_RULES: dict[str, tuple[Decimal, int, int, int, int]] = {
    CauseKind.LOW_GRADE: (Decimal(3), 30, 20, 15, 15),  # grade 3 or 4
    CauseKind.MISREPORTED_DATA: (Decimal(1), 15, 10, 10, 10),
    CauseKind.COMPLAINT_OVERDUE: (Decimal(1), 10, 7, 7, 7),  # a day past its deadline
    CauseKind.COMPLAINT_REJECTED: (Decimal(1), 10, 7, 7, 7),
    CauseKind.SUBSTANTIVE_COMPLAINTS: (Decimal(3), 15, 10, 10, 10),  # three in a quarter
    CauseKind.SCREENING_OVERDUE: (Decimal(7), 15, 10, 10, 10),  # a week overdue
    # enterprises not contacted within PORTAL_SCREENING_CONTACT_DAYS of their push
    CauseKind.SCREENING_CONTACT_OVERDUE: (Decimal(1), 10, 7, 7, 7),
    CauseKind.RETURN_OVERDUE: (Decimal(15), 15, 10, 10, 10),  # D = 15 days
    CauseKind.COMPLAINT_DESK_OVERDUE: (Decimal(1), 10, 7, 7, 7),  # a day past the desk's own
    # Percent of a quarter's ratings at 1 or 2 (of at least five ratings).
    CauseKind.LOW_SATISFACTION: (Decimal(30), 15, 10, 10, 10),
}


def seed_default_rules() -> int:
    """The national default rules that do not exist yet; returns how many were created."""
    created = 0
    for kind, (threshold, county, prefecture, province, general) in DEFAULT_RULES.items():
        _rule, made = EscalationRule.objects.get_or_create(
            office=None,
            kind=kind,
            defaults={
                "threshold": threshold,
                "county_days": county,
                "prefecture_days": prefecture,
                "province_days": province,
                "general_days": general,
            },
        )
        created += made
    return created


def _lineage(office: Office) -> list[str]:
    """The paths of ``office`` and of every office above it."""
    return [
        office.path[:end] for end in range(office.steplen, len(office.path) + 1, office.steplen)
    ]


class RuleBook:
    """Rules read once and looked up for many offices: a sweep's thousands of cases resolve
    their rules without a query each."""

    def __init__(self, rules: Iterable[EscalationRule]) -> None:
        # By kind, then by the path of the rule's office ("" for the national default).
        self._by_kind: dict[str, dict[str, EscalationRule]] = {}
        for rule in rules:
            path = rule.office.path if rule.office is not None else ""
            self._by_kind.setdefault(rule.kind, {})[path] = rule

    @classmethod
    def everything(cls) -> "RuleBook":
        return cls(EscalationRule.objects.select_related("office"))

    def rule(self, kind: str, office: Office) -> EscalationRule | None:
        """The rule of the nearest office from ``office`` up to the root, else the default."""
        rules = self._by_kind.get(kind, {})
        for path in [*reversed(_lineage(office)), ""]:
            if path in rules:
                return rules[path]
        return None


def rule_for(kind: str, office: Office) -> EscalationRule | None:
    """The rule of the nearest office from ``office`` up to the root, else the default."""
    rules = (
        EscalationRule.objects.filter(kind=kind)
        .filter(Q(office__path__in=_lineage(office)) | Q(office=None))
        .select_related("office")
    )
    return RuleBook(rules).rule(kind, office)


RULE_FIELDS = (
    "is_active",
    "threshold",
    "county_days",
    "prefecture_days",
    "province_days",
    "general_days",
    "notify_role",
)


def _may_set_rules(user, office: Office) -> None:
    if not scoping.may_act(user, office, Role.HEAD):
        raise PermissionDenied


def rule_set(user, office: Office, kind: str, values: dict) -> EscalationRule:
    """An office's own rule for ``kind`` (its subtree follows it); a head of the office or of
    an office above it sets it. Cases already open keep their deadlines."""
    _may_set_rules(user, office)
    if kind not in CauseKind.values:
        raise ValidationError(_("Unknown cause."))
    values = {name: values[name] for name in RULE_FIELDS}
    if any(values[name] < 1 for name in RULE_FIELDS if name.endswith("_days")):
        raise ValidationError(_("Each level needs at least one day to act."))
    with transaction.atomic(durable=True):
        rule = EscalationRule.objects.select_for_update().filter(office=office, kind=kind).first()
        before = {name: str(getattr(rule, name)) for name in RULE_FIELDS} if rule else {}
        rule = rule or EscalationRule(office=office, kind=kind)
        for name, value in values.items():
            setattr(rule, name, value)
        rule.save()
        audit.record(
            user,
            "escalation.rule_set",
            office,
            {name: [before.get(name), str(value)] for name, value in values.items()},
            label=f"{office.name_zh} · {kind}",
        )
    return rule


def rule_reset(user, office: Office, kind: str) -> None:
    """Drop the office's own rule for ``kind``: the rule above it applies again."""
    _may_set_rules(user, office)
    with transaction.atomic(durable=True):
        deleted, _rows = EscalationRule.objects.filter(office=office, kind=kind).delete()
        if deleted:
            audit.record(user, "escalation.rule_reset", office, {"kind": kind})
