from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule

from portal.demo import DEMO_PASSWORD, all_demo_logins, load_demo


class Command(BaseCommand):
    help = "Load the demo jurisdiction and users (safe to run again: existing data is kept)."

    def handle(self, *args, **options) -> None:
        logins = load_demo()
        # Each app above the core adds its own demo (returns, screening...) from its demo.py.
        for app in apps.get_app_configs():
            if app.name != "portal" and module_has_submodule(app.module, "demo"):
                import_module(f"{app.name}.demo").load_demo()
        # Every account the demos made (the banks' officers, the owners with complaints...),
        # not only the core's: each shares the demo password.
        logins = all_demo_logins(logins)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at /accounts/login/ with:"))
        width = max(len(email) for email, _ in logins)
        for email, description in logins:
            self.stdout.write(f"  {email.ljust(width)}  {DEMO_PASSWORD}  {description}")
