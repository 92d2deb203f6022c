"""Tasks that only the test worker loads (``celery worker --include tests.worker_tasks``).

They let the worker infrastructure prove itself without adding tasks to the portal.
"""

from celery import shared_task


@shared_task(name="tests.worker_tasks.note_office_seen")
def note_office_seen(code: str) -> None:
    """Read an office from the database and record, as the system, what the worker saw."""
    from portal import audit
    from portal.models import Office

    office = Office.objects.get(code=code)
    audit.record(None, "worker_saw_office", office, {"name_zh": [None, office.name_zh]})
