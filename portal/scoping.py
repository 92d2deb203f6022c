"""The one place that decides which rows a user may see and act on.

Each model that reaches a user registers how its rows hang on the tree: under an office
(regulators see their office's subtree), at an institution or branch (bank officers), or
owned by a user (SME owners). Views, API endpoints, exports and tasks acting for a user call
``visible`` or ``actionable``; a model nobody registered shows nothing. Out of scope is a 404.
For one row, ``may_act`` answers "may this user act on it in this role" and ``locked_for``
fetches it locked for a service's change; neither spells the rule out again.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from portal.models import (
    AuditEvent,
    Branch,
    Division,
    Institution,
    Membership,
    Notification,
    Office,
    Role,
)
from portal.models.audit import AUTHENTICATION_VERBS

PathRule = Callable[[list[str]], Q]
IdRule = Callable[[list[int]], Q]
OwnerRule = Callable[[object], Q]

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Rule:
    office: PathRule | None = None
    # What a security officer sees under its offices' paths (authentication events only).
    security: PathRule | None = None
    institution: IdRule | None = None
    branch: IdRule | None = None
    owner: OwnerRule | None = None


@dataclass(frozen=True)
class Scope:
    """A user's memberships, loaded once: (role, office path), (role, institution id), ..."""

    user_id: int | None
    offices: list[tuple[str, str]] = field(default_factory=list)
    institutions: list[tuple[str, int]] = field(default_factory=list)
    branches: list[tuple[str, int]] = field(default_factory=list)
    # The paths of the offices where the user is a security officer: kept apart from
    # ``offices`` so that the role opens no regulator's page or row.
    security: list[str] = field(default_factory=list)

    @property
    def is_regulator(self) -> bool:
        return bool(self.offices)

    @property
    def is_security_officer(self) -> bool:
        return bool(self.security)

    @property
    def is_bank(self) -> bool:
        return bool(self.institutions or self.branches)

    @property
    def is_sme_owner(self) -> bool:
        return self.user_id is not None and not (
            self.is_regulator or self.is_bank or self.is_security_officer
        )

    def roles(self) -> set[str]:
        held = {role for role, _ in self.offices + self.institutions + self.branches}
        return held | ({Role.SECURITY.value} if self.security else set())


_RULES: dict[type[Model], Rule] = {}


def register(model: type[Model], **rules) -> None:
    """Say how ``model``'s rows hang on the tree (see ``Rule`` for the keys)."""
    _RULES[model] = Rule(**rules)


def registered_models() -> list[type[Model]]:
    return list(_RULES)


def under(*lookups: str) -> PathRule:
    """Rows whose office (reached through any of ``lookups``) lies under one of the paths."""

    def rule(paths: list[str]) -> Q:
        return _any(Q(**{f"{lookup}__startswith": p}) for lookup in lookups for p in paths)

    return rule


def among(lookup: str) -> IdRule:
    def rule(ids: list[int]) -> Q:
        return Q(**{f"{lookup}__in": ids})

    return rule


def owned_by(lookup: str) -> OwnerRule:
    def rule(user) -> Q:
        return Q(**{lookup: user})

    return rule


def _any(qs: Iterable[Q]) -> Q:
    qs = list(qs)
    return reduce(or_, qs) if qs else Q(pk__in=[])


def scope_of(user) -> Scope:
    if not getattr(user, "is_authenticated", False):
        return Scope(user_id=None)
    cached = getattr(user, "_portal_scope", None)
    if cached is not None:
        return cached
    scope = Scope(user_id=user.pk)
    for role, path, institution_id, branch_id in Membership.objects.filter(user=user).values_list(
        "role", "office__path", "institution_id", "branch_id"
    ):
        if path and role == Role.SECURITY:
            scope.security.append(path)
        elif path:
            scope.offices.append((role, path))
        elif institution_id:
            scope.institutions.append((role, institution_id))
        elif branch_id:
            scope.branches.append((role, branch_id))
    user._portal_scope = scope
    return scope


def _queryset(model_or_qs: type[M] | QuerySet[M]) -> QuerySet[M]:
    if isinstance(model_or_qs, QuerySet):
        return model_or_qs
    return model_or_qs._default_manager.all()


def _filter(user, qs: QuerySet[M], roles: set[str] | None) -> QuerySet[M]:
    rule = _RULES.get(qs.model)
    scope = scope_of(user)
    if rule is None or scope.user_id is None:
        return qs.none()

    def keep(pairs):
        return [value for role, value in pairs if roles is None or role in roles]

    parts = []
    if rule.office and (paths := keep(scope.offices)):
        parts.append(rule.office(paths))
    if rule.security and roles is None and scope.security:
        parts.append(rule.security(scope.security))
    if rule.institution and (ids := keep(scope.institutions)):
        parts.append(rule.institution(ids))
    if rule.branch and (ids := keep(scope.branches)):
        parts.append(rule.branch(ids))
    if rule.owner and roles is None:
        parts.append(rule.owner(user))
    if not parts:
        return qs.none()
    return qs.filter(_any(parts))


def visible(user, model_or_qs: type[M] | QuerySet[M]) -> QuerySet[M]:
    """The rows of this model (or queryset) that ``user`` may see."""
    return _filter(user, _queryset(model_or_qs), None)


def actionable(user, model_or_qs: type[M] | QuerySet[M], role: str) -> QuerySet[M]:
    """The rows ``user`` may act on with ``role`` or a higher role on the same side."""
    return _filter(user, _queryset(model_or_qs), set(Role.at_least(role)))


def get_visible_or_404(user, model_or_qs: type[M] | QuerySet[M], **lookup) -> M:
    qs = visible(user, model_or_qs)
    try:
        return qs.get(**lookup)
    except (ObjectDoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


def may_see(user, obj: Model) -> bool:
    """Whether ``obj`` is among the rows ``user`` may see (one EXISTS query over ``visible``'s
    rule), for a service that refuses what its page would not have shown."""
    return visible(user, type(obj)).filter(pk=obj.pk).exists()


def may_act(user, obj: Model, role: str) -> bool:
    """Whether ``user`` may act on ``obj`` with ``role`` or a higher role on the same side.

    The yes/no by which a page shows a form and a service refuses: one EXISTS query over the
    very rule ``actionable`` lists rows by, so a check never disagrees with the lists. The
    caller decides what a "no" means (a hidden form, a 403, a 404).
    """
    return actionable(user, type(obj), role).filter(pk=obj.pk).exists()


def locked_for(user, model_or_qs: type[M] | QuerySet[M], role: str, pk: object) -> M:
    """Row ``pk``, read afresh and locked for the rest of the transaction, if ``user`` may act
    on it with ``role`` (or higher); ``PermissionDenied`` otherwise.

    A service calls it first inside its transaction so that the state it checks is the state
    it changes. Only the row itself is locked (``of=("self",)``): the scope's joins reach
    nullable relations (a filing's branch), which PostgreSQL will not lock. Pass a queryset to
    ``select_related`` what the service reads next.
    """
    allowed = actionable(user, model_or_qs, role)
    locked = allowed.select_for_update(of=("self",)).filter(pk=pk).first()
    if locked is None:
        raise PermissionDenied
    return locked


def _institutions_with_branches(branch_q: Callable[[list], Q]) -> Callable[[list], Q]:
    def rule(values: list) -> Q:
        return Q(pk__in=Branch.objects.filter(branch_q(values)).values("institution_id"))

    return rule


register(Office, office=under("path"))
register(
    Institution,
    office=lambda paths: (
        under("office__path")(paths) | _institutions_with_branches(under("office__path"))(paths)
    ),
    institution=among("pk"),
    branch=_institutions_with_branches(among("pk")),
)
register(
    Branch, office=under("office__path"), institution=among("institution_id"), branch=among("pk")
)
register(Division, office=under("office__path"))
register(
    AuditEvent,
    office=under("office__path"),
    security=lambda paths: under("office__path")(paths) & Q(verb__in=AUTHENTICATION_VERBS),
)
# A notification is its recipient's alone, whatever their role.
register(Notification, owner=owned_by("recipient"))
