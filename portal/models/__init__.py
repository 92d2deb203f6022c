from portal.models.accounts import Membership, Role, User
from portal.models.audit import AuditEvent
from portal.models.idempotency import IdempotencyKey
from portal.models.institutions import Branch, Institution, InstitutionKind
from portal.models.jobs import Job, JobStatus
from portal.models.notifications import Email, Notification
from portal.models.offices import Division, Office, OfficeLevel
from portal.models.outbox import OutboxMessage, Tick

__all__ = [
    "AuditEvent",
    "Branch",
    "Division",
    "Email",
    "IdempotencyKey",
    "Institution",
    "InstitutionKind",
    "Job",
    "JobStatus",
    "Membership",
    "Notification",
    "Office",
    "OfficeLevel",
    "OutboxMessage",
    "Role",
    "Tick",
    "User",
]
