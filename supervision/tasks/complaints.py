from celery import shared_task

from supervision import complaints


@shared_task
def sweep_overdue_complaints() -> int:
    """Remind institutions of deadlines near, and move complaints unanswered past their
    deadline to the office's desk."""
    complaints.remind_due_soon()
    return complaints.sweep_overdue()
