from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from portal import audit


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs) -> None:
    audit.record(user, "login", user, label=user.email)


@receiver(user_logged_in)
def remember_language(sender, request, user, **kwargs) -> None:
    """Emails sent while the user is away speak the language they last signed in with."""
    language = getattr(request, "LANGUAGE_CODE", None)
    if language in dict(settings.LANGUAGES) and language != user.language:
        type(user).objects.filter(pk=user.pk).update(language=language)
        user.language = language


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit.record(user, "logout", user, label=user.email)
