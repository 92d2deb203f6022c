"""Attacks 9, 12 and 13 of issue 23 on the account pages: every authentication event in the
trail, readable by the user's office; registration and password reset that tell nobody who
has an account and cannot flood a mailbox; passwords of at least 12 characters; a head who
owes the second factor cannot change the password first."""

import re
import uuid

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import scoping
from portal.models import AuditEvent, User
from tests import factories as f

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-password-7"


@pytest.fixture(autouse=True)
def own_cache(settings):
    """Rate-limit counters in a cache of the test's own."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"security-{uuid.uuid4().hex}",
        }
    }


def _register(client, email, password=f.PASSWORD, **extra):
    data = {"full_name": "王小企", "email": email, "phone": "", "password": password}
    return client.post(reverse("register"), data, **extra)


def _page(html: str, email: str) -> str:
    """The page as a reader sees it: the address typed and the form's CSRF token aside."""
    return re.sub(r'value="[^"]*"', "", html.replace(email, "X"))


# -- 12: enumeration-free registration and reset, with rate limits ---------------------------


def test_registration_answers_alike_whether_or_not_the_address_has_an_account(
    client, matrix, sent_mail
):
    regulator = matrix.users["p1_head"]
    fresh = _register(client, "fresh@example.test").content.decode()
    taken = _register(client, regulator.email).content.decode()
    assert "already" not in taken
    assert _page(taken, regulator.email) == _page(fresh, "fresh@example.test")
    regulator.refresh_from_db()
    assert regulator.check_password(f.PASSWORD)
    # The holder of the address is told instead, by email.
    [told] = [m for m in sent_mail() if regulator.email in m.to]
    assert "already has an account" in told.body
    assert reverse("password_reset") in told.body


def test_registration_is_rate_limited_per_address_and_per_email(client, db, settings, sent_mail):
    settings.PORTAL_ACCOUNT_HOURLY_LIMIT_PER_EMAIL = 2
    settings.PORTAL_ACCOUNT_HOURLY_LIMIT_PER_ADDRESS = 3
    for _ in range(2):
        _register(client, "flood@example.test")
    refused = _register(client, "flood@example.test")
    assert "Too many requests" in refused.content.decode()
    assert len([m for m in sent_mail() if "flood@example.test" in m.to]) <= 2
    assert "Too many requests" not in _register(client, "other@example.test").content.decode()
    # The fourth request from the same IP is refused whatever the address.
    assert "Too many requests" in _register(client, "third@example.test").content.decode()
    elsewhere = _register(client, "third@example.test", REMOTE_ADDR="192.0.2.50")
    assert "Too many requests" not in elsewhere.content.decode()


def test_password_reset_is_rate_limited_per_email(client, matrix, settings, sent_mail):
    settings.PORTAL_ACCOUNT_HOURLY_LIMIT_PER_EMAIL = 2
    user = matrix.users["bank_a"]
    for _ in range(4):
        response = client.post(reverse("password_reset"), {"email": user.email})
    assert len(sent_mail()) == 2
    assert "Too many requests" in response.content.decode()
    # An unknown address is counted the same, so the refusal tells nothing either.
    for _ in range(3):
        unknown = client.post(
            reverse("password_reset"), {"email": "nobody@example.test"}, REMOTE_ADDR="192.0.2.9"
        )
    assert "Too many requests" in unknown.content.decode()


# -- 13: password length; the second factor before a password change ---------------------------


def test_a_password_needs_twelve_characters(client, db):
    short = _register(client, "short@example.test", password="Kx9#mQ2$vL7")  # 11
    assert "at least 12 characters" in short.content.decode()
    assert not User.objects.filter(email="short@example.test").exists()


def test_a_head_owing_the_second_factor_cannot_change_the_password_first(client, matrix, settings):
    settings.REQUIRE_2FA = True
    head = matrix.users["p1_head"]
    client.post(reverse("login"), {"username": head.email, "password": f.PASSWORD})
    response = client.post(
        reverse("password_change"),
        {"old_password": f.PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and "/accounts/2fa/" in response.url
    head.refresh_from_db()
    assert head.check_password(f.PASSWORD)


# -- 9: every authentication event audited, readable by the user's office --------------------


def _readable_by(user, event: AuditEvent) -> bool:
    return scoping.visible(user, AuditEvent.objects.all()).filter(pk=event.pk).exists()


def test_a_failed_sign_in_is_audited_for_the_accounts_office(client, matrix):
    user = matrix.users["county_a"]
    client.post(reverse("login"), {"username": user.email, "password": "wrong-password-1"})
    event = AuditEvent.objects.get(verb="login_failed")
    assert event.office == matrix.county_a and event.object_id == str(user.pk)
    assert _readable_by(matrix.users["p1_head"], event)
    assert not _readable_by(matrix.users["p2_head"], event)


def test_sign_in_and_out_are_placed_at_the_users_office(client, matrix):
    user = matrix.users["county_a"]
    client.post(reverse("login"), {"username": user.email, "password": f.PASSWORD})
    client.post(reverse("logout"))
    for verb in ("login", "logout"):
        event = AuditEvent.objects.get(verb=verb)
        assert event.office == matrix.county_a
        assert _readable_by(matrix.users["p1_head"], event)


def test_password_change_and_reset_are_audited(client, matrix, sent_mail):
    user = matrix.users["bank_a"]
    client.force_login(user)
    client.post(
        reverse("password_change"),
        {"old_password": f.PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    changed = AuditEvent.objects.get(verb="password_changed")
    assert (changed.actor, changed.institution) == (user, matrix.bank_a)
    client.logout()
    client.post(reverse("password_reset"), {"email": user.email})
    assert AuditEvent.objects.filter(verb="password_reset_requested", object_id=user.pk).exists()
    link = next(w for w in sent_mail()[-1].body.split() if "/password/reset/" in w)
    form = client.get(link.split("8000", 1)[-1], follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "third-long-password-9"} | {"new_password2": "third-long-password-9"},
    )
    assert AuditEvent.objects.filter(verb="password_reset", actor=user).exists()


def test_second_factor_verification_is_audited_both_ways(client, matrix):
    user = matrix.users["county_a"]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    client.post(reverse("otp-verify"), {"token": _code(device)})
    verified = AuditEvent.objects.get(verb="second_factor_verified")
    assert verified.office == matrix.county_a
    client.post(reverse("otp-verify"), {"token": "000000" if _code(device) != "000000" else "1"})
    assert AuditEvent.objects.filter(verb="second_factor_failed", actor=user).exists()


def _code(device: TOTPDevice) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"
