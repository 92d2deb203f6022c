"""Accounts: SME owner registration, sign-in and out, password reset, lockout, two-factor
authentication and API tokens."""

import base64
import json
import re
import uuid
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from portal import accounts
from portal.models import AuditEvent, Role, User
from tests import factories as f

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-password-7"


@pytest.fixture(autouse=True)
def own_cache(settings):
    """The hourly limits on registration and reset count in a cache of the test's own."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"accounts-{uuid.uuid4().hex}",
        }
    }


def register(client, email="owner@example.test", password=f.PASSWORD, **extra):
    data = {"full_name": "王小企", "email": email, "phone": "13800000000", "password": password}
    return client.post(reverse("register"), {**data, **extra})


def link_in(message) -> str:
    match = re.search(r"https?://\S+", message.body)
    assert match, message.body
    return match.group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def sign_in(client, email, password=f.PASSWORD, **extra):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    if offset_steps:
        value = totp(
            device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps
        )
    return f"{value:0{device.digits}d}"


# -- registration -----------------------------------------------------------------------------


def test_registration_queues_the_verification_email_for_a_worker(client, sent_mail):
    response = register(client)
    assert response.status_code == 200
    assert "owner@example.test" in response.content.decode()
    assert mail.outbox == []  # nothing leaves from the request itself
    [message] = sent_mail()
    assert sent_mail() == [message]  # sent once
    assert message.to == ["owner@example.test"]
    assert reverse("verify-email", args=["x"]).rsplit("x", 1)[0] in link_in(message)
    assert link_in(message).startswith(django_settings.SITE_URL)


def test_a_registration_rolled_back_sends_nothing(sent_mail):
    with pytest.raises(RuntimeError), transaction.atomic():
        accounts.register_owner("gone@example.test", f.PASSWORD, "Gone")
        raise RuntimeError("the surrounding transaction fails")
    assert sent_mail() == []
    assert not User.objects.filter(email="gone@example.test").exists()


def test_the_account_works_only_once_the_link_is_followed(client, sent_mail):
    register(client, email="Owner@Example.test")
    user = User.objects.get(email="owner@example.test")
    assert not user.is_active and user.email_verified_at is None

    refused = sign_in(client, "owner@example.test")
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.get(path_of(link_in(sent_mail()[0])), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "confirmed" in response.content.decode()
    user.refresh_from_db()
    assert user.is_active and user.email_verified_at is not None
    assert AuditEvent.objects.filter(verb="email_verified", actor=user).exists()

    assert sign_in(client, "owner@example.test").status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "owner@example.test" in home.content.decode()


@pytest.mark.parametrize("token", ["garbage", "eyJ1IjoxfQ:1abc:tampered"])
def test_a_bad_link_is_refused(client, token):
    response = client.get(reverse("verify-email", args=[token]))
    assert response.status_code == 400
    assert "does not work" in response.content.decode()


def test_a_link_for_someone_else_does_not_activate_my_account(client):
    mine = accounts.register_owner("mine@example.test", f.PASSWORD, "Mine")
    token = accounts.verification_token(mine)
    payload, signature = token.split(":", 1)
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["u"] = mine.pk + 1  # the same signature over another user's id
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode())
    forged = forged_payload.decode().rstrip("=") + ":" + signature
    assert client.get(reverse("verify-email", args=[forged])).status_code == 400
    mine.refresh_from_db()
    assert not mine.is_active


def test_an_expired_link_is_refused_and_the_account_stays_inactive(client):
    user = accounts.register_owner("late@example.test", f.PASSWORD, "Late")
    token = accounts.verification_token(user)
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        response = client.get(reverse("verify-email", args=[token]))
    assert response.status_code == 400
    user.refresh_from_db()
    assert not user.is_active


def test_after_an_expired_link_registering_again_sends_a_new_link_that_works(client, sent_mail):
    register(client, email="late@example.test")
    old_link = path_of(link_in(sent_mail()[0]))
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert client.get(old_link).status_code == 400
        # The page says to register again; that must not be refused as a duplicate.
        again = register(client, email="late@example.test", password=NEW_PASSWORD)
        assert again.status_code == 200
        assert "already exists" not in again.content.decode()
        assert len(sent_mail()) == 2
        assert client.get(path_of(link_in(mail.outbox[1]))).status_code == 302
    assert User.objects.filter(email="late@example.test").count() == 1
    assert sign_in(client, "late@example.test", NEW_PASSWORD).status_code == 302


def test_a_link_from_a_replaced_registration_no_longer_works(client, sent_mail):
    register(client, email="twice@example.test")
    sent_mail()
    register(client, email="twice@example.test", password=NEW_PASSWORD)
    first, second = (path_of(link_in(m)) for m in sent_mail())
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 302


def test_registration_leaves_an_address_already_in_use_alone_and_refuses_weak_passwords(
    client, sent_mail
):
    existing = f.UserFactory(email="taken@example.test")
    taken = register(client, email="TAKEN@example.test")
    assert "already exists" not in taken.content.decode()  # the holder is told by email
    existing.refresh_from_db()
    assert existing.check_password(f.PASSWORD)  # untouched
    weak = register(client, email="weak@example.test", password="12345678")
    assert weak.status_code == 200
    assert not User.objects.filter(email="weak@example.test").exists()
    assert not [m for m in sent_mail() if "weak@example.test" in m.to]


def test_registration_cannot_take_over_a_deactivated_staff_account(client, matrix):
    officer = matrix.users["bank_a"]
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    response = register(client, email=officer.email, password=NEW_PASSWORD)
    assert response.status_code == 200
    officer.refresh_from_db()
    assert officer.check_password(f.PASSWORD) and not officer.is_active


# -- signing in and out -----------------------------------------------------------------------


def test_sign_in_and_sign_out(client, matrix):
    user = matrix.users["county_a"]
    assert client.get(reverse("home")).status_code == 302
    response = sign_in(client, user.email)
    assert response.status_code == 302 and response.url == reverse("home")
    assert user.email in client.get(reverse("home")).content.decode()

    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert client.get(reverse("home")).url.startswith(reverse("login"))
    assert list(AuditEvent.objects.filter(actor=user).values_list("verb", flat=True)) == [
        "logout",
        "login",
    ]


def test_a_wrong_password_does_not_sign_in(client, matrix):
    response = sign_in(client, matrix.users["county_a"].email, "wrong-password-123")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sign_in_returns_to_the_page_asked_for(client, matrix):
    target = reverse("office-list") + "?" + urlencode({"q": "矩阵", "page": 1})
    redirect = client.get(target)
    assert redirect.status_code == 302
    form = client.get(redirect.url)
    assert form.context["next"] == target
    response = client.post(
        redirect.url, {"username": matrix.users["p1_head"].email, "password": f.PASSWORD}
    )
    assert response.url == target


def test_sign_in_takes_the_address_in_any_case(client, matrix):
    email = matrix.users["county_a"].email
    assert sign_in(client, email.upper()).status_code == 302


# -- password reset ---------------------------------------------------------------------------


def test_password_reset_by_email(client, matrix, sent_mail):
    user = matrix.users["bank_a"]
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response.url == reverse("password_reset_done")
    [message] = sent_mail()
    assert message.to == [user.email]
    form = client.get(path_of(link_in(message)), follow=True)
    assert form.status_code == 200
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.url == reverse("password_reset_complete")
    assert sign_in(client, user.email).status_code == 200  # the old password is gone
    assert sign_in(client, user.email, NEW_PASSWORD).status_code == 302
    # The link is single-use.
    reused = client.get(path_of(link_in(message)), follow=True)
    assert "invalid" in reused.content.decode()


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(
    client, db, sent_mail
):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.test"})
    assert response.url == reverse("password_reset_done")
    assert sent_mail() == []


# -- lockout ----------------------------------------------------------------------------------


def test_repeated_failures_lock_the_account_out_from_that_address(client, matrix):
    user = matrix.users["county_a"]
    limit = django_settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert sign_in(client, user.email, "wrong-password-123").status_code == 200
    locked = sign_in(client, user.email, "wrong-password-123")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # Now even the right password is refused from this address ...
    assert sign_in(client, user.email).status_code == 429
    assert "_auth_user_id" not in client.session
    # ... while other accounts, and this account from elsewhere, still sign in.
    assert sign_in(client, matrix.users["county_b"].email).status_code == 302
    assert sign_in(client, user.email, REMOTE_ADDR="192.0.2.99").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, matrix):
    user = matrix.users["county_a"]
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        sign_in(client, user.email, "wrong-password-123")
    assert sign_in(client, user.email).status_code == 429
    later = timezone.now() + django_settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    with time_machine.travel(later):
        assert sign_in(client, user.email).status_code == 302


def test_the_token_endpoint_is_locked_out_too(client, matrix):
    user = matrix.users["bank_a"]
    url = reverse("api:token")
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": user.email, "password": "wrong-password-123"})
    response = client.post(url, {"username": user.email, "password": f.PASSWORD})
    assert response.status_code == 400
    assert "token" not in response.json()
    elsewhere = client.post(
        url, {"username": user.email, "password": f.PASSWORD}, REMOTE_ADDR="192.0.2.99"
    )
    assert "token" in elsewhere.json()


# -- two-factor authentication ----------------------------------------------------------------


@pytest.fixture
def two_factor(settings):
    settings.REQUIRE_2FA = True


@pytest.fixture
def head(matrix):
    return matrix.users["p1_head"]


def test_a_head_without_a_device_is_sent_to_set_one_up(client, two_factor, head):
    client.force_login(head)
    # As a browser sends it: the query percent-encoded.
    target = reverse("institution-list") + "?" + urlencode({"q": "矩阵", "kind": "city_commercial"})
    response = client.get(target)
    assert response.status_code == 302
    assert response.url.startswith(reverse("otp-setup"))
    # The whole address survives, query string included.
    setup = client.get(response.url)
    assert setup.status_code == 200
    assert setup.context["next"] == target
    assert setup.context["secret"]


def test_enrolling_with_the_right_code_turns_two_factor_on(client, two_factor, head):
    client.force_login(head)
    page = client.get(reverse("otp-setup") + "?next=/offices/")
    device = TOTPDevice.objects.get(user=head, confirmed=False)
    assert page.context["secret"]  # the key the user types into their authenticator
    response = client.post(reverse("otp-setup"), {"token": code_for(device), "next": "/offices/"})
    assert response.status_code == 302 and response.url == "/offices/"
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(verb="totp_enrolled", actor=head).exists()
    assert client.get(reverse("home")).status_code == 200


def test_enrolling_with_a_wrong_code_fails(client, two_factor, head):
    client.force_login(head)
    client.get(reverse("otp-setup"))
    device = TOTPDevice.objects.get(user=head, confirmed=False)
    wrong = f"{(int(code_for(device)) + 1) % 10**6:06d}"
    response = client.post(reverse("otp-setup"), {"token": wrong})
    assert response.status_code == 200
    assert "not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("home")).url.startswith(reverse("otp-setup"))


def test_the_setup_page_keeps_the_same_secret_until_enrolment(client, two_factor, head):
    client.force_login(head)
    first = client.get(reverse("otp-setup")).context["secret"]
    assert client.get(reverse("otp-setup")).context["secret"] == first
    assert TOTPDevice.objects.filter(user=head).count() == 1


@pytest.fixture
def enrolled_head(head):
    device = TOTPDevice.objects.create(user=head, name="phone", confirmed=True)
    return head, device


def test_an_enrolled_head_must_verify_before_reaching_pages(client, two_factor, enrolled_head):
    head, device = enrolled_head
    assert sign_in(client, head.email).status_code == 302
    response = client.get(reverse("office-list"))
    assert response.url.startswith(reverse("otp-verify"))
    wrong = client.post(response.url, {"token": "000000" if code_for(device) != "000000" else "1"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):  # past the retry throttle
        ok = client.post(response.url, {"token": code_for(device)})
    assert ok.status_code == 302 and ok.url == reverse("office-list")
    assert client.get(reverse("office-list")).status_code == 200


def test_anyone_enrolled_must_verify_even_when_not_required(client, matrix):
    user = matrix.users["bank_a"]
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    assert client.get(reverse("home")).url.startswith(reverse("otp-verify"))


def test_other_regulators_are_not_asked_for_a_second_factor(client, two_factor, matrix):
    client.force_login(matrix.users["county_a"])
    assert client.get(reverse("home")).status_code == 200


def test_without_the_requirement_a_head_goes_straight_in(client, head):
    client.force_login(head)
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("enrolled", [False, True])
def test_api_calls_by_an_unverified_head_get_403_json(client, two_factor, head, enrolled):
    if enrolled:
        TOTPDevice.objects.create(user=head, name="phone", confirmed=True)
    client.force_login(head)
    response = client.get(reverse("api:office-list"))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Two-factor authentication required."}


# -- API tokens -------------------------------------------------------------------------------


def test_a_token_from_the_token_endpoint_authenticates_api_calls(client, matrix):
    user = matrix.users["bank_a"]
    anonymous = client.get(reverse("api:me"))
    assert anonymous.status_code in {401, 403}
    response = client.post(reverse("api:token"), {"username": user.email, "password": f.PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=user).key == token

    headers = {"Authorization": f"Token {token}"}
    me = client.get(reverse("api:me"), headers=headers)
    assert me.status_code == 200
    assert me.json()["email"] == user.email
    assert me.json()["memberships"][0]["role"] == Role.PREPARER
    institutions = client.get(reverse("api:institution-list"), headers=headers).json()
    assert [row["name_zh"] for row in institutions["results"]] == [matrix.bank_a.name_zh]


def test_the_token_endpoint_refuses_a_wrong_password(client, matrix):
    user = matrix.users["bank_a"]
    response = client.post(reverse("api:token"), {"username": user.email, "password": "nope"})
    assert response.status_code == 400
    assert "token" not in response.json()
    assert not Token.objects.filter(user=user).exists()


def test_a_bad_token_is_refused(client, matrix):
    headers = {"Authorization": "Token not-a-token", "Accept-Language": "en"}
    response = client.get(reverse("api:me"), headers=headers)
    assert response.status_code in {401, 403}
    assert response.json()["detail"] == "Invalid token."


def test_a_token_does_not_get_round_a_required_second_factor(client, two_factor, head):
    token = Token.objects.create(user=head)
    headers = {"Authorization": f"Token {token}", "Accept-Language": "en"}
    response = client.get(reverse("api:office-list"), headers=headers)
    assert response.status_code == 403
    assert "Two-factor" in response.json()["detail"]


def test_a_token_does_not_get_round_an_enrolled_second_factor(client, matrix):
    user = matrix.users["bank_a"]
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    token = Token.objects.create(user=user)
    response = client.get(reverse("api:me"), headers={"Authorization": f"Token {token}"})
    assert response.status_code == 403


def test_an_owner_home_leads_to_filing_and_following_complaints(client_for, matrix):
    page = client_for(matrix.users["owner_a"]).get(reverse("home")).content.decode()
    assert reverse("complaint-file") in page
    assert reverse("complaint-list") in page


def test_the_sign_in_page_offers_a_complaint_without_an_account(client):
    page = client.get(reverse("login")).content.decode()
    assert reverse("complaint-start") in page
