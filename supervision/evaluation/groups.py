"""Group and provincial targets (the 2025 notice III(III)) as scoring reads them: the year's
target groups (set by ``areas.group_set``) with their members, the large banks, the
joint-stock banks or the local legal-person banks of the defining office's area, or a list;
and a group's figure, computed from its members' accepted returns as one bank's
(``inputs.group_figures``). The scheme says what a member gets when its group met the target
and it alone did not."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Q

from portal.models import Institution, InstitutionKind
from supervision.evaluation.models import GroupRule, TargetGroup

# The kinds a rule takes from the defining office's area; a list names its members.
KINDS: dict[str, set[str]] = {
    GroupRule.LARGE: {InstitutionKind.LARGE},
    GroupRule.JOINT_STOCK: {InstitutionKind.JOINT_STOCK},
    GroupRule.LOCAL_LEGAL_PERSON: InstitutionKind.local_legal_person(),
}


@dataclass(frozen=True)
class Group:
    """A target group as scoring reads it, with its members' ids."""

    pk: int
    name: str
    office_code: str
    rule: str
    target: Decimal
    members: frozenset[int]

    @property
    def rule_label(self) -> str:
        return str(GroupRule(self.rule).label)


@dataclass(frozen=True)
class Figure:
    """A group's figure for a period: ``value`` None when no member has the figures."""

    group: Group
    value: Decimal | None
    counted: int  # members whose returns gave the figure

    @property
    def margin(self) -> Decimal | None:
        """How far the figure is above its target (below: negative)."""
        return None if self.value is None else self.value - self.group.target

    @property
    def met(self) -> bool | None:
        return None if self.margin is None else self.margin >= 0


def groups_of(year: int, among: set[int] | None = None) -> list[Group]:
    """The year's groups with their members (in three queries, however many); ``among``
    keeps only the groups with one of these institutions."""
    rows = list(
        TargetGroup.objects.filter(year=year)
        .order_by("office__path", "name")
        .values_list("pk", "name", "office__code", "office__path", "rule", "target")
    )
    members: dict[int, set[int]] = defaultdict(set)
    by_kind = [(pk, path, KINDS[rule]) for pk, _n, _c, path, rule, _t in rows if rule in KINDS]
    if by_kind:
        wanted = reduce(
            or_, (Q(office__path__startswith=path, kind__in=kinds) for _, path, kinds in by_kind)
        )
        for institution, kind, path in Institution.objects.filter(
            wanted, is_active=True
        ).values_list("pk", "kind", "office__path"):
            for pk, prefix, kinds in by_kind:
                if kind in kinds and path.startswith(prefix):
                    members[pk].add(institution)
    if any(rule == GroupRule.LIST for *_, rule, _t in rows):
        listed = TargetGroup.listed.through.objects.filter(targetgroup__year=year)
        for pk, institution in listed.values_list("targetgroup_id", "institution_id"):
            members[pk].add(institution)
    groups = [
        Group(pk, name, code, rule, target, frozenset(members[pk]))
        for pk, name, code, _p, rule, target in rows
    ]
    return [g for g in groups if among is None or g.members & among]
