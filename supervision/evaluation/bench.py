"""Timing the evaluation at national scale: every institution of the national seed scored for
one year (its Q4 against the Q4 before) in one call of ``evaluation.score_institutions``, with
the SQL it took.
``manage.py bench_scoring`` prints the results."""

from dataclasses import dataclass
from decimal import Decimal
from time import perf_counter, process_time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import Institution, Office, User
from reporting import history
from reporting.periods import quarter_label
from supervision.evaluation.models import Arrangement, Evaluation, GroupRule, TargetGroup
from supervision.evaluation.services import Tally, score_institutions

BATCH = 1500


def bench_user() -> User:
    """The uploader of the benchmark's returns: inactive, no usable password, reused."""
    user, created = User.objects.get_or_create(
        email="bench-scoring@bench.invalid",
        defaults={"full_name": "bench_scoring", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def prepare(year: str) -> int:
    """Accepted returns for the year's Q4 and the Q4 before for every active institution that
    has none yet (generated, the same every time), a credit plan for each, and the year's
    target groups (``groups``). Returns how many returns were written."""
    institutions = list(
        Institution.objects.filter(is_active=True).select_related("office").order_by("pk")
    )
    user = bench_user()
    places = history.lending_places(institutions)
    written = 0
    for label in (quarter_label(int(year) - 1, 4), quarter_label(int(year), 4)):
        for start in range(0, len(institutions), BATCH):
            chunk = institutions[start : start + BATCH]
            filed = [history.generated(i, label, places[i.pk]) for i in chunk]
            written += history.write(filed, user)
    Arrangement.objects.bulk_create(
        [
            Arrangement(institution=i, year=int(year), typed_credit_plan=Decimal(2000))
            for i in institutions
        ],
        ignore_conflicts=True,
    )
    groups(int(year), user)
    return written


def groups(year: int, user: User) -> None:
    """The 2025 notice's target groups for ``year``, where missing: the large banks and the
    joint-stock banks of each root office as a group, and each province's local legal-person
    banks (the root's children)."""
    made = []
    for root in Office.objects.filter(depth=1):
        made += [
            TargetGroup(office=root, year=year, name=name, rule=rule, target=10, set_by=user)
            for name, rule in (("大型银行", GroupRule.LARGE), ("股份制银行", GroupRule.JOINT_STOCK))
        ]
        made += [
            TargetGroup(
                office=province,
                year=year,
                name="地方法人银行",
                rule=GroupRule.LOCAL_LEGAL_PERSON,
                target=10,
                set_by=user,
            )
            for province in Office.objects.get_children(root)
        ]
    TargetGroup.objects.bulk_create(made, ignore_conflicts=True)


@dataclass(frozen=True)
class Measure:
    label: str
    seconds: float
    cpu_seconds: float  # this process's own: on a busy machine, far less than the wall time
    queries: int
    tally: Tally

    def line(self) -> str:
        t = self.tally
        return (
            f"{self.label}: {t.scored + t.unchanged + t.frozen} institutions in "
            f"{self.seconds:.2f} s (process CPU {self.cpu_seconds:.2f} s), "
            f"{self.queries} SQL queries "
            f"(scored {t.scored}, unchanged {t.unchanged}, frozen {t.frozen})"
        )


def measure(label: str, period: str) -> Measure:
    with CaptureQueriesContext(connection) as queries:
        started, cpu = perf_counter(), process_time()
        tally = score_institutions(period)
        seconds, cpu = perf_counter() - started, process_time() - cpu
    return Measure(label, seconds, cpu, len(queries.captured_queries), tally)


def forget(period: str) -> int:
    """Remove the period's evaluations that nobody has worked on (still in self-assessment,
    with no points or documents), so the next run scores from scratch."""
    untouched = Evaluation.objects.filter(
        period=period,
        status="self_assessment",
        qualitative__isnull=True,
        adjustments__isnull=True,
        evidence__isnull=True,
    )
    _, deleted = Evaluation.objects.filter(pk__in=untouched.values("pk")).delete()
    return deleted.get(Evaluation._meta.label, 0)
