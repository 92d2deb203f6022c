"""Filing without an account: an emailed link proves the address and signs the owner in;
it works once, within a day, and never for regulators or bank officers."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from portal.models import User
from supervision.complaints.access import tracking_token
from supervision.complaints.guard import new_challenge
from tests import factories as f
from tests.supervision.test_complaints_pages import own_cache  # noqa: F401 (autouse)

pytestmark = pytest.mark.django_db


def _ask(client, email: str, **extra):
    challenge = new_challenge()
    data = {
        "email": email,
        "full_name": "周老板",
        "phone": "13100000000",
        "challenge": challenge.token,
        "challenge_answer": str(challenge.a + challenge.b),
        **extra,
    }
    return client.post(reverse("complaint-start"), data)


def _link(sent_mail, email: str) -> str:
    message = [m for m in sent_mail() if email in m.to][-1]
    return re.search(r"http\S+", message.body).group(0).removeprefix("http://127.0.0.1:8000")


def _follow(client, link: str, **extra):
    """Open the link (a page signing nobody in) and press its button, as the owner does."""
    client.get(link)
    return client.post(reverse("complaint-start"), {"code": link.split("code=", 1)[1]}, **extra)


def test_a_new_owner_files_by_the_emailed_link(client, matrix, sent_mail):
    response = _ask(client, "Zhou@Example.test")
    assert "a link is on its way" in response.content.decode()
    link = _link(sent_mail, "zhou@example.test")
    followed = _follow(client, link)
    assert followed.url == reverse("complaint-file")
    owner = User.objects.get(email="zhou@example.test")
    assert owner.email_verified_at is not None and not owner.has_usable_password()
    assert client.get(reverse("complaint-file")).status_code == 200
    # The link works once.
    client.logout()
    again = _follow(client, link, follow=True)
    assert "no longer works" in again.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_owner_comes_back_to_their_complaints(client, matrix, sent_mail):
    assert matrix.complaint_owner_a  # the matrix builds its complaints when first asked
    _ask(client, matrix.users["owner_a"].email)
    followed = _follow(client, _link(sent_mail, matrix.users["owner_a"].email))
    assert followed.url == reverse("complaint-list")
    assert int(client.session["_auth_user_id"]) == matrix.users["owner_a"].pk


def test_a_link_never_signs_in_a_regulator_or_bank_officer(client, matrix, sent_mail):
    for who in ("p1_head", "bank_a"):
        email = matrix.users[who].email
        assert "a link is on its way" in _ask(client, email).content.decode()
        assert not [m for m in sent_mail() if email in m.to]  # nothing to follow
        # Even a link made for them some other way signs nobody in.
        _follow(client, reverse("complaint-start") + "?code=" + tracking_token(email, "x", ""))
        assert "_auth_user_id" not in client.session


def test_a_pending_registration_loses_its_password_when_the_link_proves_the_address(
    client, sent_mail
):
    pending = f.UserFactory(email="pending@example.test", is_active=False)
    _ask(client, "pending@example.test")
    _follow(client, _link(sent_mail, "pending@example.test"))
    pending.refresh_from_db()
    assert pending.is_active and not pending.has_usable_password()


def test_links_expire_and_requests_are_limited(client, settings, sent_mail):
    settings.PORTAL_COMPLAINT_HOURLY_LIMIT = 2
    with time_machine.travel(datetime.now() - timedelta(days=2)):
        _ask(client, "late@example.test")
        link = _link(sent_mail, "late@example.test")  # made as it is sent, two days ago
    _follow(client, link)
    assert "_auth_user_id" not in client.session
    _ask(client, "late@example.test")
    _ask(client, "late@example.test")
    refused = _ask(client, "late@example.test")
    assert "Too many links" in refused.content.decode()
    wrong = _ask(client, "other@example.test", challenge_answer="99")
    assert "not right" in wrong.content.decode()
    assert not [m for m in sent_mail() if "other@example.test" in m.to]
