import time

from django.core.management.base import BaseCommand, CommandError

from portal.national import SEED, seed_national


class Command(BaseCommand):
    help = (
        "Seed the national-scale structure for benchmarks: the General Bureau, 36 provincial "
        "bureaus, ~340 sub-bureaus, ~1,800 county offices, 4,500 institutions and 20,000 "
        "branches. Deterministic; running it again adds only what is missing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="fraction of the real sizes, e.g. 0.01 for a quick test (the 36 bureaus stay)",
        )
        parser.add_argument("--seed", type=int, default=SEED, help="random seed for the names")
        parser.add_argument(
            "--outlets",
            type=int,
            help="branches in all (default 20,000 at scale 1; China has about 220,000 banking "
            "outlets)",
        )

    def handle(self, *args, scale: float, seed: int, outlets: int | None, **options) -> None:
        if not 0 < scale <= 1:
            raise CommandError("--scale must be more than 0 and at most 1")
        started = time.perf_counter()
        if outlets is not None and outlets < 0:
            raise CommandError("--outlets must not be negative")
        added = seed_national(scale, seed, outlets)
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_national (scale {scale:g}): added {added['offices']} offices, "
                f"{added['institutions']} institutions, {added['branches']} branches "
                f"and {added['divisions']} more divisions in {seconds:.1f} s"
            )
        )
