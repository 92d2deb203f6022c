"""Returns waiting for the user: to review (regulators); to file, and to sign (bank
officers)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal import scoping
from portal.models import Role
from portal.worklist import Waiting
from reporting.models import Filing, FilingStatus, ReturnRequest, superseded
from reporting.views.requests import with_filing_state


def waiting(user) -> list[Waiting]:
    scope = scoping.scope_of(user)
    items = []
    if scope.is_regulator:
        review = scoping.actionable(user, Filing, Role.REVIEWER).filter(
            status=FilingStatus.SUBMITTED
        )
        items.append(Waiting(review.count(), _("Returns awaiting review"), reverse("review-queue")))
    if scope.is_bank:
        owed = with_filing_state(scoping.visible(user, ReturnRequest)).filter(
            is_open=True, is_filed=False
        )
        listed = reverse("request-list")
        items.append(
            Waiting(owed.count(), _("Returns to file"), f"{listed}?completeness=not_filed")
        )
        # A version replaced by a newer upload no longer waits for anyone's signature.
        sign = (
            scoping.actionable(user, Filing, Role.APPROVER)
            .filter(status__in=[FilingStatus.VALID, FilingStatus.NEEDS_CONFIRMATION])
            .filter(check_only=False)
            .exclude(superseded())
        )
        items.append(
            Waiting(
                sign.count(), _("Validated returns awaiting signature"), reverse("request-list")
            )
        )
    return items
