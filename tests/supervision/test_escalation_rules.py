"""Escalation rules as data: the page shows each rule in force with the office it comes from;
a head sets an office's own rule for its subtree, or drops it to inherit again."""

import pytest
from django.urls import reverse

from portal.models import AuditEvent
from supervision.escalation import raising
from supervision.escalation.models import EscalationRule
from tests import factories as f

RULE = {
    "is_active": "on",
    "threshold": "4",
    "county_days": "7",
    "prefecture_days": "6",
    "province_days": "5",
    "general_days": "4",
    "notify_role": "reviewer",
}


def _url(office=None) -> str:
    url = reverse("escalation-rules")
    return f"{url}?office={office.code}" if office else url


def _row(response, kind: str) -> str:
    body = response.content.decode()
    start = body.index(f'data-testid="rule-{kind}"')
    return body[start : body.index("</tr>", start)]


def test_a_head_sets_a_rule_its_subtree_follows_and_drops_it(matrix, client):
    client.force_login(matrix.users["p1_head"])
    response = client.post(
        _url(matrix.city1), {**RULE, "kind": "low-grade", "office": matrix.city1.code}
    )
    assert response.status_code == 302
    rule = EscalationRule.objects.get(office=matrix.city1, kind="low-grade")
    assert (rule.threshold, rule.county_days, rule.notify_role) == (4, 7, "reviewer")
    assert AuditEvent.objects.filter(verb="escalation.rule_set", office=matrix.city1).exists()

    # The county below reads the city's rule, and a grade 3 no longer raises a case there.
    client.force_login(matrix.users["county_a"])
    row = _row(client.get(_url()), "low-grade")
    assert matrix.city1.name_zh in row or matrix.city1.name_en in row
    bank = f.InstitutionFactory(office=matrix.county_a)
    assert raising.escalation_raise(f.cause(bank, measure=3)) is None

    client.force_login(matrix.users["p1_head"])
    client.post(_url(matrix.city1), {"action": "reset", "kind": "low-grade", "office": "350100"})
    assert not EscalationRule.objects.filter(office=matrix.city1).exists()
    assert "national default" in _row(client.get(_url(matrix.city1)), "low-grade")


def test_a_day_count_of_zero_is_refused_and_nothing_saved(matrix, client):
    client.force_login(matrix.users["p1_head"])
    response = client.post(
        _url(matrix.p1), {**RULE, "county_days": "0", "kind": "low-grade", "office": "350000"}
    )
    assert response.status_code == 200
    assert "greater than or equal to 1" in response.content.decode()
    assert not EscalationRule.objects.filter(office=matrix.p1).exists()


@pytest.mark.parametrize("user", ["county_a", "p2_head"])
def test_only_heads_of_the_office_or_above_set_its_rules(matrix, client, user):
    client.force_login(matrix.users[user])
    response = client.post(
        _url(matrix.county_a), {**RULE, "kind": "low-grade", "office": matrix.county_a.code}
    )
    # A county viewer may read its rules but not set them; another province's head gets 404.
    assert response.status_code == (403 if user == "county_a" else 404)
    assert not EscalationRule.objects.filter(office=matrix.county_a).exists()


def test_banks_have_no_rules_page(matrix, client):
    client.force_login(matrix.users["bank_a"])
    assert client.get(_url()).status_code == 404
