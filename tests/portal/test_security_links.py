"""Attack 7 of issue 23: login CSRF through the complaint tracking link. Opening a link
signs nobody in; a confirmation page posts it, and it is refused while someone is signed in,
so what a victim files never lands in the link owner's account."""

import pytest
from django.urls import reverse

from supervision.complaints.access import tracking_token
from tests import factories as f
from tests.supervision.test_complaints_pages import own_cache  # noqa: F401 (autouse)

pytestmark = pytest.mark.django_db


def _link(email: str = "attacker@example.test") -> str:
    return reverse("complaint-start") + "?code=" + tracking_token(email, "Attacker", "")


def test_opening_a_link_signs_nobody_in_until_the_page_is_confirmed(client, matrix):
    link = _link("zhou@example.test")
    page = client.get(link)
    assert page.status_code == 200
    assert "_auth_user_id" not in client.session
    assert 'name="code"' in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    followed = client.post(reverse("complaint-start"), {"code": link.split("code=")[1]})
    assert followed.url == reverse("complaint-file")
    assert client.session["_auth_user_id"]


def test_a_link_is_refused_while_someone_else_is_signed_in(client, matrix):
    victim = matrix.users["owner_a"]
    client.force_login(victim)
    code = _link().split("code=")[1]
    page = client.get(_link())
    assert "You are signed in as" in page.content.decode()
    assert 'name="code"' not in page.content.decode()
    refused = client.post(reverse("complaint-start"), {"code": code})
    assert refused.status_code == 409
    assert "You are signed in as" in refused.content.decode()
    assert int(client.session["_auth_user_id"]) == victim.pk


def test_the_refusal_is_said_in_chinese_too(client, matrix):
    client.force_login(f.UserFactory())
    page = client.get(_link(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "您已以" in page.content.decode()
