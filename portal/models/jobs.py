"""Work queued for a worker: a screening job, a dashboard export, a scoring run. Each is a row
of a model built on ``Job``: its status (queued, running, done, failed) and when it started
and finished. The page creates the row and queues a Celery task; the task calls its
capability's service, which claims the row (``Job.claim``), does the work and records how it
ended (``Job.finish``).

The claim is taken under the row's lock, so that a task delivered twice (acks late, a retry)
runs once; a row left running longer than ``stuck_after`` lost its worker and may be claimed
again."""

from datetime import timedelta
from typing import Any, Self

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def status_field(**options: Any) -> models.CharField:
    """A job's status column; ``options`` only for a model whose column has another name."""
    return models.CharField(
        _("status"),
        max_length=10,
        choices=JobStatus.choices,
        default=JobStatus.QUEUED,
        **options,
    )


class Job(models.Model):
    Status = JobStatus

    status = status_field()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_pending(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @classmethod
    def claim(cls, pk: int, stuck_after: timedelta, *, rows: QuerySet | None = None) -> Self | None:
        """Row ``pk`` (of ``rows``, e.g. with ``select_related``) marked running, if it was
        queued or stuck; else None: another delivery of the task has it, or it is finished."""
        rows = cls._default_manager.all() if rows is None else rows
        now = timezone.now()
        claimable = Q(status=JobStatus.QUEUED) | Q(
            status=JobStatus.RUNNING, started_at__lt=now - stuck_after
        )
        with transaction.atomic():
            job = rows.select_for_update(of=("self",)).filter(claimable, pk=pk).first()
            if job is None:
                return None
            job.status, job.started_at = JobStatus.RUNNING, now
            job.save(update_fields=["status", "started_at"])
        return job

    def finish(self, status: str, **fields: Any) -> None:
        """Record how the job ended, with any of its own fields (counts, a file, the error),
        in one UPDATE."""
        fields |= {"status": status, "finished_at": timezone.now()}
        for name, value in fields.items():
            setattr(self, name, value)
        type(self)._default_manager.filter(pk=self.pk).update(**fields)
