"""Accounts: SME owners' self-registration with a verified email, password resets, and TOTP
enrolment. Their emails go through ``portal.emails`` (the outbox), their links made when sent."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import audit, emails
from portal.models import Email, User

_SALT = "portal.email-verification"
VERIFICATION_MAX_AGE = 3 * 24 * 3600


def pending_registration(email: str) -> User | None:
    """The owner account registered with ``email`` and never verified (inactive, no place in
    the tree, not staff), which registering again may renew; None if there is none."""
    return (
        User.objects.filter(
            email=email.strip().lower(),
            email_verified_at__isnull=True,
            is_active=False,
            is_staff=False,
            memberships__isnull=True,
        )
        .distinct()
        .first()
    )


def register_owner(email: str, password: str, full_name: str, phone: str = "") -> User:
    """An SME owner's account, inactive until the email address is verified.

    Registering again before verifying (say, once the link has expired) replaces the pending
    details and sends a new link; links sent earlier stop working.
    """
    with transaction.atomic():
        user = pending_registration(email)
        if user is None:
            user = User.objects.create_user(
                email=email, password=password, full_name=full_name, phone=phone, is_active=False
            )
            audit.record(user, "account_registered", user, label=user.email)
        else:
            user.full_name, user.phone = full_name, phone
            user.set_password(password)
            user.save(update_fields=["full_name", "phone", "password"])
            audit.record(user, "account_registration_renewed", user, label=user.email)
        emails.queue("verify_email", user.email, recipient=user)
    return user


def _fingerprint(user: User) -> str:
    """Changes with the password, so a new registration voids the links of the previous one."""
    return salted_hmac(_SALT, user.password).hexdigest()[:16]


def verification_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email, "p": _fingerprint(user)}, salt=_SALT)


@emails.composer("verify_email")
def _verification(email: Email) -> tuple[str, str]:
    assert email.recipient is not None  # queued with its account
    link = settings.SITE_URL + reverse("verify-email", args=[verification_token(email.recipient)])
    return (
        _("Confirm your email for the SME finance supervision portal"),
        _("Open this link within three days to activate your account:\n%(link)s") % {"link": link},
    )


def verify_email(token: str) -> User | None:
    """Activate the account a token was issued for; None if the token is bad or expired."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=VERIFICATION_MAX_AGE)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u"), email=data.get("e")).first()
    if user is None:
        return None
    if user.email_verified_at is None and not constant_time_compare(
        str(data.get("p", "")), _fingerprint(user)
    ):
        return None
    with transaction.atomic():
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
            user.is_active = True
            user.save(update_fields=["email_verified_at", "is_active"])
            audit.record(user, "email_verified", user, label=user.email)
    return user


def login_username(request, credentials: dict | None) -> str | None:
    """The account a sign-in attempt names, as django-axes counts failures (settings
    ``AXES_USERNAME_CALLABLE``): the address typed in the form's "username" field, lower-cased
    as addresses are stored, so that changing its case does not dodge the lockout."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        data = getattr(request, "data", None) or request.POST
        username = data.get("username")
    return username.strip().lower() if isinstance(username, str) and username.strip() else None


def pending_totp_device(user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first request so the secret is stable."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "authenticator"}
    )
    return device


def confirm_totp(user: User, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(user, "totp_enrolled", user, label=user.email)
    return True


def over_hourly_limit(kind: str, email: str, address: str | None) -> bool:
    """Whether one more ``kind`` of request (a registration, a password reset) for ``email``
    from ``address`` passes the hourly limits (settings ``PORTAL_ACCOUNT_HOURLY_LIMIT_*``);
    counts it if it does. Addresses with and without an account are counted alike."""
    keys = [
        (f"account-limit:{kind}:email:{email.strip().lower()}", _limit("EMAIL")),
        (f"account-limit:{kind}:ip:{address or '-'}", _limit("ADDRESS")),
    ]
    if any(cache.get(key, 0) >= limit for key, limit in keys):
        return True
    for key, _limit_unused in keys:
        if not cache.add(key, 1, 3600):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, 3600)
    return False


def _limit(which: str) -> int:
    return int(getattr(settings, f"PORTAL_ACCOUNT_HOURLY_LIMIT_PER_{which}"))


def tell_holder_of_registration(email: str) -> None:
    """Someone registered with an address that already has an account: the page says what it
    says for a new address, and the holder of the address learns of it by email."""
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        return
    with transaction.atomic(durable=True):
        audit.record(None, "registration_of_existing_account", user, label=user.email)
        emails.queue("already_registered", user.email, recipient=user)


@emails.composer("already_registered")
def _already_registered(email: Email) -> tuple[str, str]:
    reset = settings.SITE_URL + reverse("password_reset")
    message = _(
        "Someone asked to register %(email)s on the SME finance supervision portal, and this "
        "address already has an account. If it was you, sign in, or set a new password here:\n"
        "%(link)s\nIf it was not you, you need do nothing."
    ) % {"email": email.address, "link": reset}
    return _("Your address already has an account on the supervision portal"), message


def request_password_reset(email: str) -> None:
    """Email a reset link to the active account of ``email`` that has a password (as Django's
    reset form chooses); for an address without one, nothing happens, and the page says the
    same either way."""
    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    with transaction.atomic(durable=True):
        audit.record(None, "password_reset_requested", user, label=user.email)
        emails.queue("password_reset", user.email, recipient=user)


@emails.composer("password_reset")
def _password_reset(email: Email) -> tuple[str, str]:
    user = email.recipient
    assert user is not None  # queued with its account
    protocol, _sep, domain = settings.SITE_URL.partition("://")
    context = {
        "email": user.email,
        "domain": domain,
        "protocol": protocol,
        "site_name": domain,
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    subject = render_to_string("registration/password_reset_subject.txt", context)
    body = render_to_string("registration/password_reset_email.html", context)
    return "".join(subject.splitlines()), body
