"""The Celery application; configuration comes from Django settings (``CELERY_*``).

Code queues work with ``portal.outbox.send_on_commit``, never with ``delay`` after a commit:
the outbox keeps what the broker refused until it can be sent.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Work that may hold a worker for minutes: a million-row return, a screening list, a workbook
# export, a scoring run. With PORTAL_HEAVY_QUEUE set they go to that queue, served by workers of
# their own, so that an e-mail or a sweep never waits behind them (README, Production).
HEAVY_TASKS = frozenset(
    {
        "reporting.tasks.validate_filing",
        "supervision.tasks.screening.run_screening_job",
        "supervision.tasks.dashboards.build_export",
        "supervision.tasks.evaluation.run_scoring",
    }
)


def route(name: str, args, kwargs, options, task=None, **rest) -> dict | None:
    """Celery's router (``CELERY_TASK_ROUTES``): heavy tasks to the heavy queue when one is
    set; everything else, and everything when none is, to the default queue."""
    from django.conf import settings

    if name in HEAVY_TASKS and settings.PORTAL_HEAVY_QUEUE:
        return {"queue": settings.PORTAL_HEAVY_QUEUE}
    return None
