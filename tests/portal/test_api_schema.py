"""Property-based API tests from the OpenAPI schema (schemathesis): whatever a client sends,
no operation answers with a server error.

One test per operation, each with a bounded number of generated requests, sent in-process
through the WSGI application as a signed-in regulator (token) who sees the whole tree.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig

from portal.wsgi import application

MAX_EXAMPLES = 8

config = SchemathesisConfig.from_dict(
    {
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,  # the same requests on every run and machine
            "database": "none",  # no .hypothesis directory left behind
        },
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
# The schema is served to signed-in users only (issue 23), so it is generated here as the
# schema view would serve it, and the requests go to the WSGI application.
schema = schemathesis.openapi.from_dict(
    json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True))),
    config=config,
)
schema.app = application
schema.location = "/api/v1/schema/"


@pytest.fixture
def api_token(matrix) -> str:
    return Token.objects.create(user=matrix.users["gb_head"]).key


@pytest.fixture
def in_test_transaction():
    """Requests go straight to the WSGI application, which closes the database connection
    around each request; keep the test's connection (and its transaction) open instead, as
    Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_schema_lists_the_core_operations():
    labels = {result.ok().label for result in schema.get_all_operations()}
    assert {
        "GET /api/v1/offices/",
        "GET /api/v1/offices/{code}/",
        "GET /api/v1/institutions/{id}/",
        "GET /api/v1/audit-events/",
        "GET /api/v1/me/",
        "POST /api/v1/token/",
    } <= labels


@pytest.mark.django_db
@schema.parametrize()
# The fixtures hold for all of an operation's examples: the API under test is read-only, and
# the token endpoint only adds tokens and failed-login records.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_operation_answers_a_server_error(case, api_token, in_test_transaction):
    case.call_and_validate(
        headers={"Authorization": f"Token {api_token}"}, checks=[not_a_server_error]
    )
