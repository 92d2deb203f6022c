from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from portal.audit import request_address
from portal.models import Role
from portal.scoping import scope_of

# Paths a signed-in user may reach before passing the second factor, less the account pages
# that the password alone must not open (changing it, the API token).
_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/")
_GATED_PREFIXES = ("/accounts/password/change/", "/accounts/tokens/")


def _open_before_second_factor(path: str) -> bool:
    return path.startswith(_OPEN_PREFIXES) and not path.startswith(_GATED_PREFIXES)


def second_factor_required(user) -> bool:
    """Heads must enrol in TOTP when the portal requires it; anyone enrolled must verify."""
    from django_otp import user_has_device

    if user_has_device(user):
        return True
    return settings.REQUIRE_2FA and Role.HEAD in {r for r, _ in scope_of(user).offices}


def needs_second_factor(user) -> bool:
    if not getattr(user, "is_authenticated", False) or user.is_verified():
        return False
    return second_factor_required(user)


class TwoFactorGate:
    """Sends a signed-in user who still owes a second factor to enrol or verify."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_second_factor(request.user) and not _open_before_second_factor(request.path):
            from django_otp import user_has_device

            target = "otp-verify" if user_has_device(request.user) else "otp-setup"
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                detail = _("Two-factor authentication required.")
                return JsonResponse({"detail": detail}, status=403)
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class RequestAddress:
    """Makes the client address available to the audit trail for this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_address.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            request_address.reset(token)


def client_address(request) -> str | None:
    if settings.AXES_IPWARE_PROXY_COUNT:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= settings.AXES_IPWARE_PROXY_COUNT:
            return hops[-settings.AXES_IPWARE_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR") or None


class NoStore:
    """Nothing served to a signed-in user is kept by the browser or a proxy (OWASP ASVS
    8.2.1): complaints, attachments, evidence, filings and every other page of regulated data
    are ``Cache-Control: no-store``. Static files (served before this, by whitenoise) keep
    their caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
        return response
