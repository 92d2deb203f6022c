from celery import shared_task

from supervision import complaints


@shared_task
def sweep_overdue_complaints() -> int:
    """Move complaints unanswered past their deadline to the office's desk."""
    return complaints.sweep_overdue()
