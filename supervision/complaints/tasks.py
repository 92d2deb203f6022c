from celery import shared_task

from supervision.complaints import deadlines as complaint_deadlines


@shared_task(name="supervision.tasks.complaints.sweep_overdue_complaints")
def sweep_overdue_complaints() -> int:
    """Remind institutions of deadlines near, and move complaints unanswered past their
    deadline to the office's desk."""
    complaint_deadlines.remind_due_soon()
    return complaint_deadlines.sweep_overdue()
