"""Celery's autodiscovery imports each app's ``tasks`` module. The supervision app's tasks live
in its capabilities' folders, so this module imports each of them for that side effect (each
task keeps the name it had before the capabilities had folders: see their ``name=``)."""

from supervision.complaints import tasks as complaints  # noqa: F401
from supervision.dashboards import tasks as dashboards  # noqa: F401
from supervision.escalation import tasks as escalation  # noqa: F401
from supervision.evaluation import tasks as evaluation  # noqa: F401
from supervision.publication import tasks as publication  # noqa: F401
from supervision.screening import tasks as screening  # noqa: F401
