"""Attack 8 of issue 23: API tokens never expired, survived a password change, came back
unchanged on a new request and were issued without an audit event."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-password-7"


def _token(client, user, password=f.PASSWORD) -> str:
    response = client.post(reverse("api:token"), {"username": user.email, "password": password})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _me(client, token: str):
    return client.get(
        reverse("api:me"), headers={"Authorization": f"Token {token}", "Accept-Language": "en"}
    )


def test_each_request_gets_a_new_token_with_its_expiry(client, matrix, settings):
    settings.PORTAL_TOKEN_DAYS = 7
    user = matrix.users["bank_a"]
    response = client.post(reverse("api:token"), {"username": user.email, "password": f.PASSWORD})
    first = response.json()["token"]
    expires = response.json()["expires"]
    assert expires[:10] == (timezone.now() + timedelta(days=7)).date().isoformat()
    second = _token(client, user)
    assert second != first
    assert _me(client, second).status_code == 200


def test_a_token_stops_working_when_it_expires(client, matrix, settings):
    settings.PORTAL_TOKEN_DAYS = 7
    token = _token(client, matrix.users["bank_a"])
    assert _me(client, token).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        refused = _me(client, token)
    assert refused.status_code in {401, 403}
    assert "expired" in refused.json()["detail"]


def test_changing_the_password_revokes_the_tokens(client, matrix):
    user = matrix.users["bank_a"]
    token = _token(client, user)
    client.force_login(user)
    changed = client.post(
        reverse("password_change"),
        {"old_password": f.PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    client.logout()
    assert _me(client, token).status_code in {401, 403}
    revoked = AuditEvent.objects.get(verb="api_token_revoked")
    assert revoked.changes["reason"] == "password_changed"


def test_a_password_set_any_other_way_revokes_the_tokens_too(client, matrix):
    user = matrix.users["bank_a"]
    token = _token(client, user)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert _me(client, token).status_code in {401, 403}


def test_a_client_revokes_its_own_token(client, matrix):
    token = _token(client, matrix.users["bank_a"])
    revoked = client.delete(reverse("api:token"), headers={"Authorization": f"Token {token}"})
    assert revoked.status_code == 204
    assert _me(client, token).status_code in {401, 403}
    assert AuditEvent.objects.filter(verb="api_token_revoked").count() == 1


def test_the_account_page_shows_and_revokes_the_token(client, matrix):
    user = matrix.users["bank_a"]
    token = _token(client, user)
    client.force_login(user)
    page = client.get(reverse("api-tokens")).content.decode()
    assert token[:6] in page and "Revoke" in page
    client.post(reverse("api-tokens"))
    client.logout()
    assert _me(client, token).status_code in {401, 403}


def test_issuing_a_token_is_audited_where_the_users_office_reads_it(client, matrix):
    user = matrix.users["bank_a"]
    _token(client, user)
    event = AuditEvent.objects.get(verb="api_token_issued")
    assert (event.actor, event.office, event.institution) == (user, matrix.p1, matrix.bank_a)
    assert "expires" in event.changes


@pytest.mark.parametrize(
    ("data", "field"),
    [({"username": "", "password": "x"}, "username"), ({"username": "a@b.test"}, "password")],
)
def test_the_token_endpoint_says_which_field_is_missing(client, db, data, field):
    response = client.post(reverse("api:token"), data)
    assert response.status_code == 400
    assert field in response.json()


def test_the_schema_documents_the_token_endpoint_as_the_code_enforces_it(client, matrix):
    client.force_login(matrix.users["bank_a"])
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/token/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    request = schema["components"]["schemas"][body.rsplit("/", 1)[1]]
    assert set(request["required"]) == {"username", "password"}
    assert all(request["properties"][name]["minLength"] == 1 for name in request["required"])
    assert {"200", "400"} <= set(operation["responses"])
    assert "content" in operation["responses"]["400"]
    assert {"204", "401", "403"} <= set(schema["paths"]["/api/v1/token/"]["delete"]["responses"])


def test_one_users_token_page_never_shows_anothers(client, matrix):
    mine = _token(client, matrix.users["bank_a"])
    client.force_login(matrix.users["bank_b"])
    assert mine[:6] not in client.get(reverse("api-tokens")).content.decode()
