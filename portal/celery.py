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
