"""The main menu: for each kind of user, the pages grouped by the task they serve (returns,
supervision, complaints, analysis, administration), holding only the entries the user's roles
can use, with the page being shown marked current.

The entries name URLs, never views, so that the portal imports nothing of the apps above it;
one table for the whole menu keeps the groups' order and wording in one place."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models import Role
from portal.scoping import Scope

Who = Callable[[Scope], bool]


def regulator(scope: Scope) -> bool:
    return scope.is_regulator


def reviewer(scope: Scope) -> bool:
    """A regulator who may decide on filings (a viewer only reads)."""
    return bool({role for role, _ in scope.offices} & set(Role.at_least(Role.REVIEWER)))


def head(scope: Scope) -> bool:
    return any(role == Role.HEAD for role, _ in scope.offices)


def security_officer(scope: Scope) -> bool:
    return scope.is_security_officer


def bank(scope: Scope) -> bool:
    return scope.is_bank


def webhook_owner(scope: Scope) -> bool:
    """An institution's approver, or an office's reviewer or head: who registers webhooks."""
    return any(role == Role.APPROVER for role, _ in scope.institutions) or reviewer(scope)


def owner(scope: Scope) -> bool:
    return scope.is_sme_owner


def signed_in(scope: Scope) -> bool:
    return scope.user_id is not None


@dataclass(frozen=True)
class Entry:
    label: Promise
    url_name: str
    who: Who


@dataclass(frozen=True)
class Group:
    label: Promise
    entries: tuple[Entry, ...]


# Each group is listed once; an entry appears for the users its ``who`` admits.
MENU: tuple[Group, ...] = (
    Group(
        pgettext_lazy("menu group", "Returns"),
        (
            Entry(pgettext_lazy("menu", "Returns"), "request-list", lambda s: s.is_regulator),
            Entry(_("My returns"), "request-list", bank),
            Entry(_("Review queue"), "review-queue", reviewer),
            Entry(_("Return specifications"), "spec-list", lambda s: s.is_regulator or s.is_bank),
            Entry(_("Sampled rows"), "sample-list", bank),
        ),
    ),
    Group(
        _("Supervision"),
        (
            Entry(_("Offices"), "office-list", regulator),
            Entry(_("Institutions"), "institution-list", regulator),
            Entry(_("My institution"), "institution-list", bank),
            Entry(_("Screening"), "screening-tasks", lambda s: s.is_regulator or s.is_bank),
            Entry(_("Visits"), "screening-visit-app", lambda s: s.is_regulator or s.is_bank),
            Entry(_("Evaluation"), "evaluation-ranking", regulator),
            Entry(_("My evaluation"), "evaluation-ranking", bank),
            Entry(_("Data sampling"), "sample-list", regulator),
            Entry(_("Escalation"), "escalation-desk", regulator),
            Entry(_("Rectification notices"), "escalation-notices", bank),
        ),
    ),
    Group(
        pgettext_lazy("menu group", "Complaints"),
        (
            Entry(_("Complaints desk"), "complaint-desk", regulator),
            Entry(pgettext_lazy("menu", "Complaints"), "complaint-list", bank),
            Entry(_("My complaints"), "complaint-list", owner),
            Entry(_("File a complaint"), "complaint-file", owner),
            Entry(_("Typical cases"), "typical-case-list", regulator),
        ),
    ),
    Group(
        _("Analysis"),
        (
            Entry(_("Dashboard"), "dashboard-home", regulator),
            Entry(_("Complaint statistics"), "complaint-statistics", regulator),
            Entry(_("Escalation statistics"), "escalation-statistics", regulator),
        ),
    ),
    Group(
        _("Administration"),
        (
            Entry(_("Audit trail"), "audit-list", regulator),
            Entry(_("Authentication events"), "authentication-events", security_officer),
            Entry(_("Security officers"), "security-officers", head),
            Entry(_("Escalation rules"), "escalation-rules", head),
            Entry(_("API tokens"), "api-tokens", bank),
            Entry(_("API documentation"), "api:docs", bank),
            Entry(_("Webhooks"), "webhook-list", webhook_owner),
        ),
    ),
    Group(
        _("Help"),
        (
            Entry(_("Help for my role"), "help", signed_in),
            Entry(_("Glossary"), "glossary", signed_in),
            Entry(_("Accessibility"), "accessibility", signed_in),
        ),
    ),
)


@dataclass
class Link:
    label: Promise
    url: str
    current: bool = False


@dataclass
class ShownGroup:
    label: Promise
    links: list[Link] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


def menu_for(scope: Scope, path: str) -> list[ShownGroup]:
    """The groups this user sees, each with at least one entry, the current page marked."""
    shown: list[ShownGroup] = []
    for group in MENU:
        links = [
            Link(entry.label, url)
            for entry in group.entries
            if entry.who(scope)
            for url in [reverse(entry.url_name)]
        ]
        if links:
            shown.append(ShownGroup(group.label, links))
    _mark_current([link for group in shown for link in group.links], path)
    return shown


def _mark_current(links: list[Link], path: str) -> None:
    """The link whose address is the longest start of the page's: a filing's page is under
    its list's entry."""
    best = max(
        (link for link in links if path.startswith(link.url)),
        key=lambda link: len(link.url),
        default=None,
    )
    if best is not None:
        best.current = True
