from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal.models import Branch, Institution, Office
from portal.scope_benchmark import (
    INDEX_NAME,
    bench_user,
    default_province,
    explain_visible,
    time_visible,
    uses_index,
)


class Command(BaseCommand):
    help = (
        "Time scoping on the configured database (after seed_national): every institution "
        "under one province and under the General Bureau, as a head of that office gets them "
        "through portal.scoping.visible. Creates (or reuses) one inactive bench user per office."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--province", help="provincial office code (default 350000)")
        parser.add_argument("--runs", type=int, default=7, help="timed runs per query")
        parser.add_argument("--no-explain", action="store_true", help="skip the query plan")

    def handle(self, *args, province: str | None, runs: int, no_explain: bool, **opts) -> None:
        if runs < 1:
            raise CommandError("--runs must be at least 1")
        top = Office.objects.filter(level=1).order_by("path").first()
        if top is None:
            raise CommandError("no offices: run seed_national first")
        if province:
            chosen = Office.objects.filter(code=province, level=2).first()
            if chosen is None:
                raise CommandError(f"no provincial office {province}")
        else:
            chosen = default_province()
            if chosen is None:
                raise CommandError("no provincial office: run seed_national first")
        self.stdout.write(
            f"database: {connection.vendor}, {Office.objects.count()} offices, "
            f"{Institution.objects.count()} institutions, {Branch.objects.count()} branches; "
            f"median of {runs} runs after one warm-up"
        )
        province_user, top_user = bench_user(chosen), bench_user(top)
        for label, user in (
            (f"institutions under one province ({chosen.code})", province_user),
            (f"institutions under the General Bureau ({top.code})", top_user),
        ):
            self.stdout.write(time_visible(label, user, Institution, runs).line())
        if not no_explain:
            plan = explain_visible(province_user, Institution)
            used = "used" if uses_index(plan) else "not used"
            self.stdout.write(f"query plan for the province ({INDEX_NAME} {used}):")
            for line in plan.splitlines():
                self.stdout.write(f"  {line}")
