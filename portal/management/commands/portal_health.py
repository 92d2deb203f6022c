from django.core.management.base import BaseCommand, CommandError

from portal import health


class Command(BaseCommand):
    help = (
        "Report the health of the database, the broker, the workers (a ping), beat (its last "
        "tick) and the outbox (work not yet sent to the broker). Exits 1 if anything is down, "
        "for a monitor; --exit-zero only reports."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--timeout", type=float, default=2.0, help="seconds to wait for broker and workers"
        )
        parser.add_argument(
            "--exit-zero", action="store_true", help="exit 0 even when something is down"
        )

    def handle(self, *args, timeout: float, exit_zero: bool, **options) -> None:
        checks = health.report(timeout)
        self.stdout.write(f"portal health ({health.mode()})")
        for check in checks:
            state = self.style.SUCCESS("ok  ") if check.ok else self.style.ERROR("DOWN")
            self.stdout.write(f"{state} {check.name:<9} {check.detail}")
        down = [check.name for check in checks if not check.ok]
        if down and not exit_zero:
            raise CommandError(f"not healthy: {', '.join(down)}")
