"""The API's lifecycle: throttles per institution, and how a deprecation is announced."""

import uuid
from datetime import UTC, datetime

import pytest
from django.core.cache.backends.locmem import LocMemCache
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from portal import lifecycle
from portal.models import Role
from portal.throttling import InstitutionRateThrottle
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(settings, monkeypatch):
    fresh = LocMemCache(f"throttle-{uuid.uuid4()}", {})  # named caches share their store
    monkeypatch.setattr(InstitutionRateThrottle, "cache", fresh)
    settings.PORTAL_API_RATE = "3/minute"
    return settings


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_institutions_users_share_one_budget(budget, matrix):
    first, second = (_client(f.member(Role.PREPARER, institution=matrix.bank_a)) for _ in "12")
    branch = _client(matrix.users["branch_a1"])  # bank A's branch spends bank A's budget
    answers = [c.get("/api/v1/specs/").status_code for c in (first, second, branch, first)]
    assert answers == [200, 200, 200, 429]
    refused = second.get("/api/v1/me/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert _client(matrix.users["bank_b"]).get("/api/v1/specs/").status_code == 200


def test_an_institution_can_be_given_its_own_budget(budget, matrix):
    budget.PORTAL_API_INSTITUTION_RATES = {matrix.bank_b.credit_code: "1/minute"}
    bank_b = _client(matrix.users["bank_b"])
    assert [bank_b.get("/api/v1/specs/").status_code for _ in "12"] == [200, 429]
    bank_a = _client(matrix.users["bank_a"])
    assert [bank_a.get("/api/v1/specs/").status_code for _ in "12"] == [200, 200]


def test_a_deprecated_operation_says_so_in_its_headers_and_the_schema(monkeypatch, matrix):
    since, sunset = datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 7, 1, tzinfo=UTC)
    monkeypatch.setitem(
        lifecycle.DEPRECATED,
        "api:spec-list",
        lifecycle.Deprecation(since, sunset, "https://portal.example/api/v1/docs/"),
    )
    answer = _client(matrix.users["bank_a"]).get("/api/v1/specs/")
    assert answer["Deprecation"] == f"@{int(since.timestamp())}"
    assert answer["Sunset"] == "Thu, 01 Jul 2027 00:00:00 GMT"
    assert answer["Link"] == '<https://portal.example/api/v1/docs/>; rel="deprecation"'
    other = _client(matrix.users["bank_a"]).get("/api/v1/me/")
    assert "Deprecation" not in other
    paths = SchemaGenerator().get_schema(public=True)["paths"]
    assert paths["/api/v1/specs/"]["get"]["deprecated"] is True
    assert "deprecated" not in paths["/api/v1/me/"]["get"]
