from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from portal import audit, session_expiry, tokens
from portal.models import User


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


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs) -> None:
    """The session ends a fixed time after sign-in (or after "stay signed in"), stored in it,
    so that pages can say when (portal.session_expiry)."""
    if request is not None and hasattr(request, "session"):
        session_expiry.renew(request)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit.record(user, "logout", user, label=user.email)


@receiver(user_login_failed)
def audit_failed_login(sender, credentials, request=None, **kwargs) -> None:
    """A failed sign-in (form, token endpoint or admin), in the trail of the account it named,
    readable by that account's office; an unknown address is recorded too, placed nowhere."""
    typed = str((credentials or {}).get("username") or "").strip().lower()[:254]
    user = User.objects.filter(email=typed).first() if typed else None
    if user is None:
        audit.record(None, "login_failed", None, {"username": typed}, label=typed)
    else:
        audit.record(None, "login_failed", user, {"username": typed}, label=user.email)


@receiver(pre_save, sender=User)
def notice_password_change(sender, instance: User, update_fields=None, **kwargs) -> None:
    """Remember whether this save changes the password, however it was set (the change and
    reset pages, the admin, ``changepassword``, a tracking link)."""
    changed = False
    if instance.pk is not None and (update_fields is None or "password" in update_fields):
        stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
        changed = stored is not None and stored != instance.password
    setattr(instance, "_password_changed", changed)  # noqa: B010 (not a field of the model)


@receiver(post_save, sender=User)
def revoke_tokens_on_password_change(sender, instance: User, created: bool, **kwargs) -> None:
    if not created and getattr(instance, "_password_changed", False):
        setattr(instance, "_password_changed", False)  # noqa: B010
        tokens.revoke_in_transaction(None, instance, "password_changed")
