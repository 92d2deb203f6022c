from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Returns and filings")

    def ready(self) -> None:
        from portal import scoping, worklist
        from reporting import worklist as returns_waiting
        from reporting.models import Filing, ReturnRequest

        worklist.register("returns", returns_waiting.waiting)

        offices = scoping.under("institution__office__path", "branch__office__path")
        scoping.register(
            ReturnRequest,
            office=offices,
            institution=scoping.among("institution_id"),
            branch=scoping.among("branch_id"),
        )
        # A check-only upload is the bank's own trial: regulators never see it.
        scoping.register(
            Filing,
            office=lambda paths: offices(paths) & Q(check_only=False),
            institution=scoping.among("institution_id"),
            branch=scoping.among("branch_id"),
        )
