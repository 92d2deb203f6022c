import os
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portal.models import User
from reporting import loadcheck


class Command(BaseCommand):
    help = (
        "A bounded load run on this machine: gunicorn and a Celery worker on 127.0.0.1, and "
        "locust's headless users (bank officers uploading, reviewers reviewing, regulators "
        "browsing) for a fixed number of users and seconds; then checks in the database that "
        "every upload became exactly one final filing, and prints a summary. Uses the demo "
        "accounts (seed_demo runs first if they are missing). Exits 1 if the check fails."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--users", type=int, default=12, help="concurrent users")
        parser.add_argument("--seconds", type=int, default=60, help="length of the run")
        parser.add_argument(
            "--drain", type=int, default=120, help="seconds to wait for the worker afterwards"
        )

    def handle(self, *args, users: int, seconds: int, drain: int, **options) -> None:
        if users < 1 or seconds < 1:
            raise CommandError("--users and --seconds must be at least 1")
        if not User.objects.filter(email="fj.reviewer@demo.portal").exists():
            call_command("seed_demo", stdout=self.stdout)
        with tempfile.TemporaryDirectory(prefix="loadcheck-") as tmp:
            folder = Path(tmp)
            officers = loadcheck.officers(folder)
            if not officers:
                raise CommandError("no demo bank officer has an open SME-LOANS request")
            since = loadcheck.started()
            with loadcheck.running(folder) as host:
                self.stdout.write(f"{users} users for {seconds} s against {host} ...")
                loadcheck.swarm(host, folder, users, seconds, officers)
                loadcheck.wait_for_worker(since, drain)
            outcome = loadcheck.outcome(folder, since)
        self._summary(users, seconds, outcome)
        if not outcome.exact:
            raise CommandError("some uploads did not become exactly one final filing")

    def _summary(self, users: int, seconds: int, outcome: loadcheck.Outcome) -> None:
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        self.stdout.write(f"load check: {users} users, {seconds} s, machine load {load}")
        self.stdout.write(f"{'request':<18}{'count':>7}{'failed':>8}{'median ms':>11}{'p95 ms':>9}")
        for line in outcome.requests:
            self.stdout.write(
                f"{line.name:<18}{line.count:>7}{line.failed:>8}{line.median_ms:>11}{line.p95_ms:>9}"
            )
        statuses = ", ".join(f"{status} {count}" for status, count in outcome.statuses.items())
        self.stdout.write(
            f"uploads answered with a filing: {len(outcome.answered)}, refused: {outcome.refused}"
            f", without an answer: {outcome.unanswered}"
        )
        self.stdout.write(f"filings made: {len(outcome.filings)} ({statuses or 'none'})")
        if outcome.unanswered:
            self.stdout.write(
                f"  of which {len(outcome.filings) - len(outcome.answered)} for uploads without "
                "an answer (the run ended, or the line was lost, before the portal answered)"
            )
        if outcome.exact:
            self.stdout.write("every upload became exactly one final filing")
            if not outcome.answered:
                self.stdout.write("(no upload finished within the run: give it more seconds)")
            return
        self.stdout.write(
            f"NOT exact: {outcome.pending} still pending, {len(outcome.missing)} answered ids "
            f"without their filing, {outcome.unexplained} filings no upload accounts for"
        )
