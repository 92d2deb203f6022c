"""The isolation matrix over every page and API endpoint (see tests/isolation.py)."""

import io
import zipfile

import pytest
from django.urls import reverse

from tests.isolation import (
    ACTION_URLS,
    CREATE_URLS,
    OBJECT_URLS,
    OUTSIDE_MATRIX,
    PUBLIC_URLS,
    SKIPPED_PREFIXES,
    iter_urls,
)

pytestmark = pytest.mark.django_db

OUTSIDERS = [
    "county_a",
    "county_b",
    "p1_head",
    "p2_head",
    "p1_security",
    "bank_a",
    "bank_b",
    "branch_a1",
    "branch_a2",
    "owner_a",
    "owner_b",
]


def _matrix_urls():
    return [
        (name, route, params)
        for name, route, params in iter_urls()
        if not route.startswith(SKIPPED_PREFIXES) and name not in OUTSIDE_MATRIX
    ]


def test_every_url_with_parameters_is_registered():
    missing = [
        name
        for name, _, params in _matrix_urls()
        if params
        and name not in OBJECT_URLS
        and name not in PUBLIC_URLS
        and name not in ACTION_URLS
    ]
    assert not missing, (
        f"add these URLs to tests/isolation.py OBJECT_URLS (or PUBLIC_URLS): {missing}"
    )


@pytest.mark.parametrize("name", sorted(PUBLIC_URLS))
def test_public_documentation_opens_for_every_user(name, matrix, client):
    url = reverse(name, kwargs=PUBLIC_URLS[name](matrix))
    for user in OUTSIDERS:
        client.force_login(matrix.users[user])
        assert client.get(url).status_code == 200, (name, user)


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_insider_sees_and_outsider_gets_404(name, matrix, client):
    for case in OBJECT_URLS[name]:
        url = reverse(name, kwargs=case.kwargs(matrix))
        client.force_login(matrix.users[case.insider])
        assert client.get(url).status_code == 200, (name, case.insider)
        client.force_login(matrix.users[case.outsider])
        response = client.get(url)
        assert response.status_code == 404, (name, case.outsider, response.status_code)


@pytest.mark.parametrize("name", sorted(ACTION_URLS))
def test_outsider_posting_an_action_gets_404(name, matrix, client):
    for case in ACTION_URLS[name]:
        url = reverse(name, kwargs=case.kwargs(matrix))
        client.force_login(matrix.users[case.outsider])
        assert client.post(url, {}).status_code == 404, (name, case.outsider)
        client.force_login(matrix.users[case.insider])
        assert client.post(url, {}).status_code != 404, (name, case.insider)


@pytest.mark.parametrize("name", sorted(CREATE_URLS))
def test_what_a_user_creates_is_seen_within_its_scope_only(name, matrix, client):
    for case in CREATE_URLS[name]:
        client.force_login(matrix.users[case.maker])
        made = client.post(reverse(name), case.data(matrix), content_type="application/json")
        assert made.status_code == 201, (name, case.maker, made.content)
        url = reverse(case.detail, kwargs={"pk": made.json()["id"]})
        for reader in case.readers:
            client.force_login(matrix.users[reader])
            assert client.get(url).status_code == 200, (name, reader)
        for outsider in case.outsiders:
            client.force_login(matrix.users[outsider])
            assert client.get(url).status_code == 404, (name, outsider)


def _text(response) -> str:
    """The body as text. An Excel export (a zip) is unpacked to its XML parts, so that a
    download is checked for leaks like a page."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "".join(
                archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml")
            )
    return body.decode()


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_no_list_page_shows_an_outsider_anything_of_others(outsider, matrix, client):
    matrix.build_parts()
    client.force_login(matrix.users[outsider])
    forbidden = matrix.forbidden(outsider)
    pages = [(name, route) for name, route, params in _matrix_urls() if not params]
    assert pages
    for name, _ in pages:
        response = client.get(reverse(name))
        assert response.status_code < 500, (name, response.status_code)
        body = _text(response)
        leaked = [marker for marker in forbidden if marker in body]
        assert not leaked, f"{name} shows {leaked} to {outsider}"
