"""What schemathesis found when a bank's system tried the API (issue 22), held by name."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(matrix) -> APIClient:
    client = APIClient()
    client.force_authenticate(matrix.users["gb_head"])
    return client


@pytest.mark.parametrize(
    "query",
    ["status=nonsense", "check_only=5", "status=", "limit=true", "offset=-1", "limit=0"],
)
def test_a_list_filter_outside_the_schema_is_refused_by_name(api, query):
    response = api.get(f"/api/v1/filings/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_a_text_filter_with_a_null_character_is_refused_as_its_schema_says(api):
    """As every text field in Django refuses a null character, a text filter does, and the
    schema's pattern says so (a client learns it from the schema, not from a 400)."""
    response = api.get("/api/v1/filings/?spec_code=a%00b")
    assert response.status_code == 400 and "spec_code" in response.json()
    schema = api.get("/api/v1/schema/?format=json").json()
    (parameter,) = [
        p
        for p in schema["paths"]["/api/v1/filings/"]["get"]["parameters"]
        if p["name"] == "spec_code"
    ]
    assert parameter["schema"]["pattern"] == "^[^\\u0000]*$"


def test_the_filters_the_schema_allows_still_filter(api):
    response = api.get("/api/v1/filings/?status=accepted&check_only=false&limit=5&offset=0")
    assert response.status_code == 200 and set(response.json()) >= {"count", "results"}


def test_an_api_url_that_names_nothing_answers_json(api):
    response = api.get("/api/v1/filings/not-a-number/issues/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and response.json()["detail"]


def test_a_service_refusal_is_an_object_naming_the_whole_request(api, matrix):
    accept = f"/api/v1/filings/{matrix.filing_a.pk}/accept/"
    assert api.post(accept, {}, format="json").status_code == 200
    again = api.post(accept, {}, format="json")
    # The schema's 400 is an object; the service's refusal was a bare list.
    assert again.status_code == 400 and again.json()["non_field_errors"]
