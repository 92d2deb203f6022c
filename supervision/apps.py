from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        # Each capability's receivers module registers its scoping rules and its source of the
        # home page's worklist, and connects its signal receivers, when imported; they need the
        # models loaded, hence here. The order is the order of the worklist on the home page.
        # isort: off
        from supervision.screening import receivers as screening  # noqa: F401
        from supervision.evaluation import receivers as evaluation  # noqa: F401
        from supervision.complaints import receivers as complaints  # noqa: F401
        from supervision.escalation import receivers as escalation  # noqa: F401
        from supervision.dashboards import receivers as dashboards  # noqa: F401
        from supervision.publication import receivers as publication  # noqa: F401
        from supervision.quality import receivers as quality  # noqa: F401
        # isort: on
