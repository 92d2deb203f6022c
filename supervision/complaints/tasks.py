from celery import shared_task

from supervision.complaints import services as complaints


@shared_task(name="supervision.tasks.complaints.sweep_overdue_complaints")
def sweep_overdue_complaints() -> int:
    """Remind institutions of deadlines near, and move complaints unanswered past their
    deadline to the office's desk."""
    complaints.remind_due_soon()
    return complaints.sweep_overdue()
