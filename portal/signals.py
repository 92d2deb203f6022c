from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from portal import audit


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs) -> None:
    audit.record(user, "login", user, label=user.email)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit.record(user, "logout", user, label=user.email)
