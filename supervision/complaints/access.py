"""Filing without registering first: an owner gives an email address and receives a link (the
tracking code) that proves they hold it. Following it signs them in as an SME owner, with an
account made for that address if there was none; the same step later brings them back to
follow their complaints. Links last a day and work once; they never sign in anyone who holds
a place in the tree (regulators and bank officers sign in with their password and second
factor)."""

import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit, emails
from portal.models import Email, User

_SALT = "supervision.complaints.tracking-link"
LINK_SECONDS = 24 * 3600


def tracking_token(email: str, full_name: str, phone: str) -> str:
    return signing.dumps(
        {"e": email.strip().lower(), "n": full_name, "p": phone, "x": secrets.token_hex(8)},
        salt=_SALT,
    )


def send_tracking_link(email: str, full_name: str, phone: str) -> None:
    """Email the link (through the outbox). The page says the same whatever the address, so it
    tells nobody who has an account; staff, whom a link never signs in, are not sent one."""
    email = email.strip().lower()
    if User.objects.filter(email=email, memberships__isnull=False).exists():
        return
    with transaction.atomic(durable=True):
        emails.queue("tracking_link", email, full_name=full_name, phone=phone)


@emails.composer("tracking_link")
def _tracking_link(email: Email) -> tuple[str, str]:
    """The link is made as it is sent: a day from then, and never stored."""
    token = tracking_token(email.address, email.params["full_name"], email.params["phone"])
    link = settings.SITE_URL + reverse("complaint-start") + "?code=" + token
    return (
        _("Your link to file and follow complaints"),
        _(
            "Open this link within a day to file a complaint or follow the ones you filed. "
            "It works once; ask for a new one whenever you need it.\n%(link)s"
        )
        % {"link": link},
    )


def follow_tracking_link(token: str) -> User | None:
    """The SME owner a fresh, unused link signs in (made if new); None if it may not."""
    try:
        data = signing.loads(token or "", salt=_SALT, max_age=LINK_SECONDS)
    except signing.BadSignature:
        return None
    email = data["e"]
    user = User.objects.filter(email=email).first()
    if user is not None and (user.memberships.exists() or user.is_staff):
        return None
    if not cache.add(f"complaint-link:{data['x']}", 1, LINK_SECONDS):
        return None  # used already
    with transaction.atomic(durable=True):
        if user is None:
            user = User.objects.create_user(
                email=email, password=None, full_name=data["n"], phone=data["p"]
            )
            audit.record(user, "account_registered", user, label=user.email)
        if user.email_verified_at is None:
            # A registration left unverified may carry someone else's password: the address
            # is proven now, the password is not.
            user.set_unusable_password()
            user.email_verified_at, user.is_active = timezone.now(), True
            user.save(update_fields=["password", "email_verified_at", "is_active"])
            audit.record(user, "email_verified", user, label=user.email)
    return user if user.is_active else None
