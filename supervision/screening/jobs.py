"""Screening work too large for a page, run by a worker: reading a large list, and passing a
large share of a task on (delegating, assigning). The page submits a job; a small one runs at
once in the page, a large one is queued and the task page follows it until it is done.

``run`` claims the job under a row lock, so a job runs once; one whose worker died is taken
again after ``PORTAL_STUCK_FILING_SECONDS``. The services it calls are all-or-nothing, so a
job that fails leaves nothing half-done and says why, in its requester's language.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from portal.models import Branch, Institution, Office, User
from portal.outbox import send_on_commit
from supervision.screening import assignment as screening_assignment
from supervision.screening import cascade
from supervision.screening import services as screening
from supervision.screening.models import ScreeningJob, ScreeningTask, TaskEnterprise

Kind = ScreeningJob.Kind
Status = ScreeningJob.Status
# Up to this many enterprises held by the office, the page does the work itself.
SYNC_ENTERPRISES = 5_000
# A list workbook up to this size (about 5,000 enterprises) is read in the page.
SYNC_LIST_BYTES = 512 * 1024


def submit(
    user: User, task: ScreeningTask, office: Office, kind: str, params: dict
) -> ScreeningJob:
    """Record the work; run it now when it is small, else queue it for a worker."""
    job = ScreeningJob.objects.create(
        task=task, office=office, kind=kind, params=params, requested_by=user
    )
    if _is_small(job):
        run(job.pk)
        job.refresh_from_db()
    else:
        from supervision.screening.tasks import run_screening_job

        send_on_commit(run_screening_job, job.pk)
    return job


def _is_small(job: ScreeningJob) -> bool:
    if job.kind == Kind.LOAD_LIST:
        return job.task.list_file.size <= SYNC_LIST_BYTES
    held = TaskEnterprise.objects.filter(task=job.task, holder_path=job.office.path)
    return held.count() <= SYNC_ENTERPRISES


def run(job_id: int) -> None:
    """Do the job once; a second call for a finished job does nothing."""
    job = ScreeningJob.claim(
        job_id,
        timedelta(seconds=settings.PORTAL_STUCK_FILING_SECONDS),
        rows=ScreeningJob.objects.select_related("task", "office", "requested_by"),
    )
    if job is None:
        return
    with translation.override(job.requested_by.language or settings.LANGUAGE_CODE):
        try:
            result, status, errors = _perform(job), Status.DONE, []
        except ValidationError as error:
            result, status, errors = {}, Status.FAILED, error.messages
        except PermissionDenied:
            result, status, errors = {}, Status.FAILED, [_("You may not do this.")]
    job.finish(status, result=result, errors=errors)


def _assigned(result: screening_assignment.AssignmentResult) -> dict:
    return {"enterprises": result.assigned, "banks": len(result.given), "unplaced": result.unplaced}


def _perform(job: ScreeningJob) -> dict:
    user, task, office, params = job.requested_by, job.task, job.office, job.params
    match job.kind:
        case Kind.LOAD_LIST:
            return {"enterprises": screening.load_list(user, task)}
        case Kind.DELEGATE_BY_COUNTY:
            moved = screening.delegate_by_county(user, task, office)
            return {"enterprises": sum(moved.values()), "offices": len(moved)}
        case Kind.DELEGATE:
            child = Office.objects.get(code=params["child"])
            counties = params.get("counties") or None
            return {"enterprises": screening.delegate(user, task, office, child, counties=counties)}
        case Kind.AUTO_ASSIGN:
            return _assigned(screening_assignment.auto_assign(user, task, office, params["rule"]))
        case Kind.PASS_DOWN:
            passed = cascade.pass_down(user, task, office)
            return {
                "enterprises": passed.assigned,
                "banks": len(passed.given),
                "unplaced": passed.unplaced,
                "offices": len(passed.delegated),
            }
        case Kind.REASSIGN_DECLINED:
            return _assigned(screening_assignment.reassign_declined(user, task, office))
        case Kind.ASSIGN:
            institution = Institution.objects.get(pk=params["institution"])
            branch = Branch.objects.filter(pk=params.get("branch")).first()
            result = screening_assignment.assign(
                user,
                task,
                office,
                institution=institution,
                branch=branch,
                counties=params.get("counties"),
                credit_codes=params.get("credit_codes"),
            )
            return _assigned(result)
    raise ValidationError(_("Unknown action."))
