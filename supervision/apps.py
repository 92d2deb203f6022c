from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from supervision.concepts import modules

        modules("supervision.ready")
