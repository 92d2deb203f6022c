"""Returns waiting for the user: to review (regulators), to sign (bank approvers)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import scoping
from portal.models import Role
from portal.worklist import Waiting
from reporting.models import Filing, FilingStatus


def waiting(user) -> list[Waiting]:
    scope = scoping.scope_of(user)
    items = []
    if scope.is_regulator:
        review = scoping.actionable(user, Filing, Role.REVIEWER).filter(
            status=FilingStatus.SUBMITTED
        )
        items.append(Waiting(review.count(), _("Returns awaiting review"), reverse("review-queue")))
    if scope.is_bank:
        sign = scoping.actionable(user, Filing, Role.APPROVER).filter(
            status__in=[FilingStatus.VALID, FilingStatus.NEEDS_CONFIRMATION], check_only=False
        )
        items.append(
            Waiting(
                sign.count(), _("Validated returns awaiting signature"), reverse("request-list")
            )
        )
    return items
