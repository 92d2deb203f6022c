"""Timing what scoping costs at national scale: every institution a head of office sees, as
``portal.scoping.visible`` returns it. ``manage.py bench_scope`` prints the results."""

from dataclasses import dataclass
from statistics import median
from time import perf_counter

from django.db import connection
from django.db.models import Model

from portal.models import Membership, Office, Role, User
from portal.scoping import visible

INDEX_NAME = "office_path_prefix"


def bench_user(office: Office) -> User:
    """A head of ``office`` kept for measuring: inactive with no usable password, so it can
    never sign in, and reused by later runs."""
    user, created = User.objects.get_or_create(
        email=f"bench-scope-{office.code}@bench.invalid",
        defaults={"full_name": f"bench_scope {office.code}", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(user=user, role=Role.HEAD, office=office)
    return user


@dataclass(frozen=True)
class Timing:
    label: str
    rows: int
    median_ms: float

    def line(self) -> str:
        return f"{self.label}: {self.rows} rows, median {self.median_ms:.1f} ms"


def time_visible(label: str, user: User, model: type[Model], runs: int) -> Timing:
    """Median time to fetch every visible row, over ``runs`` runs after one warm-up."""
    samples = []
    rows = 0
    for _ in range(runs + 1):
        # A fresh user object per run, as each request has: the scope is looked up each time.
        fresh = User.objects.get(pk=user.pk)
        started = perf_counter()
        rows = len(list(visible(fresh, model)))
        samples.append((perf_counter() - started) * 1000)
    return Timing(label, rows, median(samples[1:]))


def explain_visible(user: User, model: type[Model]) -> str:
    qs = visible(User.objects.get(pk=user.pk), model)
    if connection.vendor == "postgresql":
        return qs.explain(analyze=True)
    return qs.explain()


def uses_index(plan: str) -> bool:
    return INDEX_NAME in plan


def default_province() -> Office | None:
    offices = Office.objects.filter(level=2).order_by("code")
    return offices.filter(code="350000").first() or offices.first()
