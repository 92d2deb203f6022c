"""The API of every capability that has one, registered on the portal's router under
``/api/v1/`` (``portal.urls`` calls ``register``). Dashboards have no API of their own."""

from rest_framework.routers import BaseRouter

from supervision.complaints import api as complaints
from supervision.escalation import api as escalation
from supervision.evaluation import api as evaluation
from supervision.screening import api as screening


def register(router: BaseRouter) -> None:
    screening.register(router)
    evaluation.register(router)
    complaints.register(router)
    escalation.register(router)
