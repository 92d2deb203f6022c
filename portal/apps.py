from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal core")

    def ready(self) -> None:
        from portal import (
            accounts,  # noqa: F401  (registers its emails' composers)
            signals,  # noqa: F401  (connects login auditing)
        )
        from portal.audit_guard import register_sqlite_guard

        connection_created.connect(register_sqlite_guard, dispatch_uid="portal-audit-guard")
