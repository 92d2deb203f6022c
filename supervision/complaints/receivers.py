"""Complaints hang on the tree by their owner, their institution and branch, and the office
supervising the branch; their steps and files follow the complaint. Importing the causes
module registers complaints' escalation providers; importing access registers the tracking
link's email."""

from django.core import checks
from django.db.models.signals import post_migrate

from portal import worklist
from portal.audit_text import name_values
from portal.scoping import among, owned_by, register, under
from supervision.complaints import access  # noqa: F401  (the tracking link's email)

# Imported for the causes it provides (overdue, rejected and substantive complaints), which
# register themselves with ``causes``.
from supervision.complaints import causes as complaint_causes  # noqa: F401
from supervision.complaints import services as complaints
from supervision.complaints.clock import calendar_errors
from supervision.complaints.models import Attachment, Complaint, ComplaintStatus
from supervision.complaints.referral import load_bodies

name_values(Complaint, "status", ComplaintStatus)  # the audit trail's "status: filed -> ..."
register(
    Complaint,
    office=under("office__path"),
    institution=among("institution_id"),
    branch=among("branch_id"),
    owner=owned_by("owner"),
)
register(
    Attachment,
    office=under("complaint__office__path"),
    institution=among("complaint__institution_id"),
    branch=among("complaint__branch_id"),
    owner=owned_by("complaint__owner"),
)


@checks.register()
def complaint_calendar(app_configs, **kwargs) -> list[checks.Error]:
    """A mistyped holiday would stop every deadline being worked out: refuse to start."""
    return [checks.Error(message, id="supervision.E601") for message in calendar_errors()]


worklist.register("complaints", complaints.waiting)


def _load_referral_bodies(sender, **kwargs) -> None:
    # The maintained list of bodies outside the tree lives in the repository's data file;
    # every migrate brings the table in line with it.
    if sender.name == "supervision":
        load_bodies()


post_migrate.connect(_load_referral_bodies, dispatch_uid="complaints.referral_bodies")
