from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "portal.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from portal import scoping
        from portal.webhooks import events
        from portal.webhooks.models import Delivery, Endpoint

        events.connect()
        # An endpoint is its institution's (any of its head office's officers may read it), or
        # its office's subtree's.
        scoping.register(
            Endpoint,
            office=scoping.under("office__path"),
            institution=scoping.among("institution_id"),
        )
        scoping.register(
            Delivery,
            office=scoping.under("endpoint__office__path"),
            institution=scoping.among("endpoint__institution_id"),
        )
