"""API throttles: each institution's systems share one budget (however many users and tokens
they spread their calls over), ``PORTAL_API_RATE`` unless ``PORTAL_API_INSTITUTION_RATES``
gives that institution its own (by unified social credit code). Regulators and SME owners are
throttled each on their own at ``PORTAL_API_RATE``. Beyond the budget: a 429 with
``Retry-After``."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from portal.models import Institution, Membership


class InstitutionRateThrottle(SimpleRateThrottle):
    scope = "institution"

    def get_rate(self) -> str | None:
        return settings.PORTAL_API_RATE or None

    def allow_request(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return True  # the token endpoint has its own limits (sign-in lockout)
        institution = _institution_of(request.user)
        own = settings.PORTAL_API_INSTITUTION_RATES.get(
            institution.credit_code if institution else ""
        )
        self.rate = own or self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.ident = f"institution-{institution.pk}" if institution else f"user-{request.user.pk}"
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


def _institution_of(user) -> Institution | None:
    """The institution a bank officer works for (at its head office or a branch)."""
    membership = (
        Membership.objects.filter(user=user)
        .exclude(institution=None, branch=None)
        .select_related("institution", "branch__institution")
        .order_by("id")
        .first()
    )
    if membership is None:
        return None
    return membership.institution or (membership.branch.institution if membership.branch else None)
