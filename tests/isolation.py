"""Every URL of the portal, classified for the isolation matrix.

A URL with parameters must be listed in ``OBJECT_URLS`` with at least one case: a user who
may open it, an outsider who must get 404, and the parameters. Adding a URL without listing
it here fails ``test_isolation``; that is how later work joins the matrix.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from tests.matrix import Matrix


@dataclass(frozen=True)
class Case:
    insider: str
    outsider: str
    kwargs: Callable[[Matrix], dict]


@dataclass(frozen=True)
class CreateCase:
    """A create: ``maker`` posts ``data`` (JSON); what it made, at ``detail`` (a URL name taking
    its ``pk``), opens for each of ``readers`` and is a 404 for each of ``outsiders``."""

    maker: str
    data: Callable[[Matrix], dict]
    detail: str
    readers: tuple[str, ...]
    outsiders: tuple[str, ...]


OBJECT_URLS: dict[str, list[Case]] = {
    "office-detail": [
        Case("county_a", "county_b", lambda m: {"code": m.county_a.code}),
        Case("p1_head", "p2_head", lambda m: {"code": m.city1.code}),
        Case("p1_head", "bank_a", lambda m: {"code": m.p1.code}),
        Case("p1_head", "p1_security", lambda m: {"code": m.p1.code}),
    ],
    "institution-detail": [
        Case("bank_a", "bank_b", lambda m: {"pk": m.bank_a.pk}),
        Case("p1_head", "p2_head", lambda m: {"pk": m.bank_a.pk}),
        Case("p2_head", "owner_a", lambda m: {"pk": m.bank_b.pk}),
    ],
    "branch-detail": [
        Case("branch_a1", "branch_a2", lambda m: {"pk": m.branch_a1.pk}),
        Case("county_a", "county_b", lambda m: {"pk": m.branch_a1.pk}),
        Case("bank_b", "bank_a", lambda m: {"pk": m.branch_b1.pk}),
    ],
    "api:office-detail": [
        Case("county_a", "county_b", lambda m: {"code": m.county_a.code}),
        Case("p2_head", "p1_head", lambda m: {"code": m.county_c.code}),
    ],
    "api:institution-detail": [
        Case("bank_a", "bank_b", lambda m: {"pk": m.bank_a.pk}),
        Case("p2_head", "p1_head", lambda m: {"pk": m.bank_b.pk}),
    ],
    "api:branch-detail": [
        Case("branch_a1", "branch_a2", lambda m: {"pk": m.branch_a1.pk}),
        Case("county_b", "county_a", lambda m: {"pk": m.branch_a2.pk}),
    ],
    "notification-detail": [
        Case("bank_a", "bank_b", lambda m: {"pk": m.notification_bank_a.pk}),
        Case("bank_a", "p1_head", lambda m: {"pk": m.notification_bank_a.pk}),
        Case("owner_a", "owner_b", lambda m: {"pk": m.notification_owner_a.pk}),
    ],
    "api:audit-event-detail": [
        Case("p1_head", "p2_head", lambda m: {"pk": m.audit_event_p1.pk}),
        Case("p1_head", "county_a", lambda m: {"pk": m.audit_event_p1.pk}),
        Case("p1_head", "p1_security", lambda m: {"pk": m.audit_event_p1.pk}),
    ],
}


def _filer_cases(kind: str) -> list[Case]:
    """Each bank and branch's own ``request`` or ``filing`` (see the Matrix): the filer and
    its supervisors open it; a sibling, a neighbouring county and the other province get 404."""

    def of(suffix: str) -> Callable[[Matrix], dict]:
        return lambda m: {"pk": getattr(m, f"{kind}_{suffix}").pk}

    return [
        Case("bank_a", "bank_b", of("a")),
        Case("bank_b", "bank_a", of("b1")),
        Case("branch_a1", "branch_a2", of("a1")),
        Case("county_a", "county_b", of("a1")),
        Case("county_b", "county_a", of("a2")),
        Case("p1_head", "p2_head", of("a")),
        Case("p2_head", "p1_head", of("b")),
        Case("p1_head", "branch_a1", of("a2")),
    ]


OBJECT_URLS.update(
    {
        "request-detail": _filer_cases("request"),
        **{
            name: _filer_cases("filing")
            for name in (
                "filing-detail",
                "filing-progress",
                "filing-file",
                "filing-annotated",
                "filing-issues-xlsx",
                "filing-issues-csv",
                "api:filing-detail",
                "api:filing-issues",
            )
        },
        "api:return-request-detail": _filer_cases("request"),
    }
)

# URLs that only take POST (API verbs): an outsider's POST is a 404 like any GET, before the
# request is even read; an insider's is anything but a 404.
ACTION_URLS: dict[str, list[Case]] = {
    name: _filer_cases("filing")
    for name in ("api:filing-sign", "api:filing-accept", "api:filing-send-back")
}

# Creates (``POST`` to a list): what one user makes is seen within its scope only.
CREATE_URLS: dict[str, list[CreateCase]] = {}

# Documentation every signed-in user may read: the same for everyone, no tenant data. Each entry
# gives the parameters of one page to open; every user of the matrix must get it.
PUBLIC_URLS: dict[str, Callable[[Matrix], dict]] = {
    "spec-detail": lambda m: {"code": "SME-LOANS", "version": "2025"},
    "spec-template": lambda m: {"code": "SCREENING-RESULT", "version": "2025"},
}

# Each capability lists its URLs in its own module; imported here, after ``Case``, which they use.
from tests.isolation_parts import (  # noqa: E402
    complaints,
    dashboards,
    escalation,
    evaluation,
    publication,
    quality,
    screening,
    webhooks,
)

for _part in (
    screening,
    evaluation,
    complaints,
    escalation,
    dashboards,
    publication,
    quality,
    webhooks,
):
    OBJECT_URLS.update(_part.OBJECT_URLS)
    ACTION_URLS.update(getattr(_part, "ACTION_URLS", {}))
    CREATE_URLS.update(getattr(_part, "CREATE_URLS", {}))
    PUBLIC_URLS.update(getattr(_part, "PUBLIC_URLS", {}))

# Reached only before sign-in or by a token in an email; tested in their own modules.
OUTSIDE_MATRIX = {
    "verify-email",
    "password_reset_confirm",
    "set_language",
}
SKIPPED_PREFIXES = ("admin/", "i18n/")


def iter_urls() -> Iterator[tuple[str, str, list[str]]]:
    """(name, route, parameter names) for every named URL pattern of the portal."""

    def walk(patterns, prefix: str, namespace: str):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                route = prefix + str(p.pattern)
                params = [k for k in p.pattern.regex.groupindex if k != "format"]
                if "format" in p.pattern.regex.groupindex:
                    continue  # DRF's format-suffix twin of a pattern already listed
                yield f"{namespace}{p.name}", route, params

    yield from walk(get_resolver().url_patterns, "", "")
