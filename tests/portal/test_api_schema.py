"""Property-based API tests from the OpenAPI schema (schemathesis) with every check on: each
response is the one the schema documents (status, media type, headers, body), schema-valid
requests are accepted, schema-violating ones refused, and authentication is enforced.

One test per operation, each with a bounded number of generated requests (valid and invalid),
sent in-process through the WSGI application as a signed-in regulator (token) who sees the
whole tree. The stateful run follows the schema's links between operations (a filing ->
its issues -> sign; a complaint -> acknowledge -> answer) as a bank's approver.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig

from portal.models import Role
from portal.webhooks import delivery
from portal.wsgi import application
from tests import factories as f

MAX_EXAMPLES = 8

# Every check is on, over every operation. One expectation is widened, for one operation:
OPERATIONS = [
    {
        # A generated username and password are schema-valid yet match no account: the token
        # endpoint answers them with its documented 400 (``non_field_errors``), as DRF's own
        # token view does, rather than pretend they were acceptable.
        "include-operation-id": "token_create",
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400"]}},
    },
]
config = SchemathesisConfig.from_dict(
    {
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,  # the same requests on every run and machine
            "database": "none",  # no .hypothesis directory left behind
            "mode": "all",  # schema-violating requests as well as valid ones
        },
        "operations": OPERATIONS,
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)


STATEFUL_CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"deterministic": True, "database": "none", "mode": "all"},
        "operations": OPERATIONS,
        "phases": {"stateful": {"enabled": True, "max-steps": 5}},
    }
)


def load_schema(config: SchemathesisConfig = config) -> schemathesis.BaseSchema:
    """The schema as the schema view serves it to a signed-in user (it is not served to
    anonymous callers, issue 23), its requests sent to the WSGI application."""
    loaded = schemathesis.openapi.from_dict(
        json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True))),
        config=config,
    )
    loaded.app = application
    loaded.location = "/api/v1/schema/"
    return loaded


CURRENT_TOKEN: dict[str, str] = {}


class TokenAuth:
    """Registered rather than sent as a plain header, so that the authentication checks know
    the credentials and can try the operation without them and with forged ones."""

    def get(self, case, ctx) -> str:
        return CURRENT_TOKEN["key"]

    def set(self, case, data: str, ctx) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}


schema = load_schema()
# A new token per test (each test's database is its own), so the token is never cached.
schema.auth(refresh_interval=None)(TokenAuth)
stateful = load_schema(STATEFUL_CONFIG)
stateful.auth(refresh_interval=None)(TokenAuth)


@pytest.fixture
def api_token(matrix) -> str:
    key = Token.objects.create(user=matrix.users["gb_head"]).key
    CURRENT_TOKEN["key"] = key
    yield key
    CURRENT_TOKEN.clear()


@pytest.fixture
def public_dns(monkeypatch):
    """Every host name resolves to a public address, as a bank's receiver does in production
    (the test machine may have no DNS); the addresses the portal refuses are in the schema."""
    monkeypatch.setattr(delivery, "resolve", lambda host, port: ["93.184.215.14"])


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
# The fixtures hold for all of an operation's examples: the regulator can change nothing a
# later example depends on, and the token endpoint only adds tokens and failed-login records.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_answers_as_its_schema_says(
    case, api_token, in_test_transaction, public_dns
):
    case.call_and_validate()


def test_the_schema_links_the_steps_a_client_follows():
    links = {
        (name, link["operationId"])
        for result in schema.get_all_operations()
        for answer in result.ok().definition.raw["responses"].values()
        for name, link in answer.get("links", {}).items()
    }
    assert {
        ("GetIssues", "filings_issues_list"),
        ("Sign", "filings_sign_create"),
        ("Acknowledge", "complaints_acknowledge_create"),
        ("Answer", "complaints_answer_create"),
    } <= links
    (filed,) = [
        r.ok().definition.raw["responses"]["201"]["links"]
        for r in schema.get_all_operations()
        if r.ok().label == "POST /api/v1/complaints/"
    ]
    assert filed["Acknowledge"]["operationId"] == "complaints_acknowledge_create"


@pytest.mark.django_db
def test_a_bank_following_the_links_gets_answers_as_documented(
    matrix, in_test_transaction, public_dns
):
    """Sequences of operations joined by the links (list -> filing -> issues -> sign; complaint
    -> acknowledge -> answer), every response checked by every check."""
    approver = f.member(Role.APPROVER, institution=matrix.bank_a)
    assert matrix.complaint_a1 and matrix.filing_a  # the complaint and filing the links reach
    CURRENT_TOKEN["key"] = Token.objects.create(user=approver).key
    try:
        stateful.as_state_machine().run(
            settings=settings(
                max_examples=12,
                stateful_step_count=5,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
        )
    finally:
        CURRENT_TOKEN.clear()
