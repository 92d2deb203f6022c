"""The Celery application; configuration comes from Django settings (``CELERY_*``)."""

import os
from typing import ParamSpec, TypeVar

from celery import Celery, Task
from celery.contrib.django.task import DjangoTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_P = ParamSpec("_P")
_R = TypeVar("_R")


def delay_on_commit(task: Task[_P, _R], /, *args: _P.args, **kwargs: _P.kwargs) -> None:
    """Queue ``task`` with these arguments once the current transaction commits.

    Celery's Django fixup makes every task a ``DjangoTask``, which has ``delay_on_commit``; the
    stubs of ``shared_task`` (celery-types) give a plain ``Task``. This says so in one place
    and checks the arguments against the task function's own signature.
    """
    assert isinstance(task, DjangoTask), f"{task.name}: Celery's Django fixup is not applied"
    task.delay_on_commit(*args, **kwargs)
