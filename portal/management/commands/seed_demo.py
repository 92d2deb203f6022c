from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo jurisdiction and users (safe to run again: existing data is kept)."

    def handle(self, *args, **options) -> None:
        logins = load_demo()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at /accounts/login/ with:"))
        width = max(len(email) for email, _ in logins)
        for email, description in logins:
            self.stdout.write(f"  {email.ljust(width)}  {DEMO_PASSWORD}  {description}")
