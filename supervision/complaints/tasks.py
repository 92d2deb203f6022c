from celery import shared_task

from supervision.complaints import closing
from supervision.complaints import deadlines as complaint_deadlines


@shared_task(name="supervision.tasks.complaints.sweep_overdue_complaints")
def sweep_overdue_complaints() -> int:
    """Remind institutions of deadlines near, move complaints unanswered past their deadline
    to the office's desk, and close answers whose owner let the feedback window pass."""
    complaint_deadlines.remind_due_soon()
    closing.close_unconfirmed()
    return complaint_deadlines.sweep_overdue()
