"""How API clients authenticate, beside the browser session."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from portal.middleware import second_factor_required


class TokenAuthentication(authentication.TokenAuthentication):
    """API tokens, refused to users who owe a second factor: a token is obtained with the
    password alone, so it must not open what the password alone does not."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if second_factor_required(user):
            raise exceptions.PermissionDenied(
                _("Two-factor authentication required: API tokens cannot be used by this account.")
            )
        return user, token
