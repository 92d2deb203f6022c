"""How API clients authenticate, beside the browser session."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from portal import tokens
from portal.middleware import second_factor_required


class TokenAuthentication(authentication.TokenAuthentication):
    """API tokens (``portal.tokens``): refused once expired, and refused to users who owe a
    second factor: a token is obtained with the password alone, so it must not open what the
    password alone does not."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if tokens.has_expired(token):
            raise exceptions.AuthenticationFailed(
                _("This token has expired; ask for a new one at /api/v1/token/.")
            )
        if second_factor_required(user):
            raise exceptions.PermissionDenied(
                _("Two-factor authentication required: API tokens cannot be used by this account.")
            )
        return user, token
