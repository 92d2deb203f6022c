"""The security officer reads the authentication events of its office's subtree and nothing
else; an office head grants and withdraws the role, audited."""

import pytest
from django.urls import reverse

from portal import audit
from portal.models import AuditEvent, Membership, Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def _events_page(client, **filters) -> str:
    response = client.get(reverse("authentication-events"), filters)
    assert response.status_code == 200
    return response.content.decode()


def test_the_officer_reads_sign_ins_of_its_subtree_only(matrix, client):
    mine, theirs = matrix.users["county_a"], matrix.users["p2_head"]
    audit.record(mine, "login", mine, label=mine.email)
    audit.record(None, "login_failed", mine, {"username": mine.email}, label=mine.email)
    audit.record(theirs, "login", theirs, label=theirs.email)
    client.force_login(matrix.users["p1_security"])
    page = _events_page(client)
    assert mine.email in page and "failed to sign in" in page
    assert theirs.email not in page
    # The office's other events (a review of city1) are not the officer's to read.
    assert "office_reviewed" not in page and "矩阵甲省局审阅" not in page
    failed_only = _events_page(client, verb="login_failed")
    assert "failed to sign in" in failed_only and "signed in</td>" not in failed_only


def test_the_role_opens_no_regulators_page_nor_row(matrix, client):
    client.force_login(matrix.users["p1_security"])
    assert client.get(reverse("office-detail", args=[matrix.city1.code])).status_code == 404
    assert client.get(reverse("filing-detail", args=[matrix.filing_a1.pk])).status_code == 404
    audit_trail = client.get(reverse("audit-list")).content.decode()
    assert "矩阵甲省局审阅" not in audit_trail
    home = client.get(reverse("home")).content.decode()
    assert reverse("authentication-events") in home  # its one page, in the menu
    assert reverse("complaint-file") not in home  # not taken for an SME owner either


def test_others_do_not_have_the_page(matrix, client):
    for who in ("p1_head", "county_a", "bank_a", "owner_a"):
        client.force_login(matrix.users[who])
        assert client.get(reverse("authentication-events")).status_code == 404


def test_a_head_grants_and_withdraws_the_role_audited(matrix, client):
    colleague, head = matrix.users["county_a"], matrix.users["p1_head"]
    client.force_login(head)
    granted = client.post(
        reverse("security-officers"),
        {"action": "grant", "email": colleague.email, "office": matrix.city1.pk},
    )
    assert granted.status_code == 302
    membership = Membership.objects.get(user=colleague, role=Role.SECURITY)
    assert membership.office == matrix.city1
    event = AuditEvent.objects.get(verb="security_officer_granted")
    assert (event.actor, event.object_id, event.office) == (
        head,
        str(colleague.pk),
        matrix.city1,
    )
    client.post(reverse("security-officers"), {"action": "withdraw", "membership": membership.pk})
    assert not Membership.objects.filter(user=colleague, role=Role.SECURITY).exists()
    assert AuditEvent.objects.filter(verb="security_officer_withdrawn").exists()


def test_the_role_goes_only_to_colleagues_and_only_from_heads(matrix, client):
    client.force_login(matrix.users["p1_head"])
    for stranger in (matrix.users["p2_head"], matrix.users["owner_a"], matrix.users["bank_a"]):
        refused = client.post(
            reverse("security-officers"),
            {"action": "grant", "email": stranger.email, "office": matrix.p1.pk},
        )
        assert refused.status_code == 200 and "Only someone who works" in refused.content.decode()
    outside = client.post(
        reverse("security-officers"),
        {"action": "grant", "email": matrix.users["county_a"].email, "office": matrix.p2.pk},
    )
    assert outside.status_code == 200  # p2 is not among the head's offices
    assert (
        not Membership.objects.filter(role=Role.SECURITY)
        .exclude(user=matrix.users["p1_security"])
        .exists()
    )
    foreign = f.member(Role.SECURITY, office=matrix.p2)
    withdraw = client.post(
        reverse("security-officers"),
        {"action": "withdraw", "membership": foreign.memberships.get().pk},
    )
    assert withdraw.status_code == 404
    for who in ("county_a", "p2_head", "p1_security"):
        client.force_login(matrix.users[who])
        assert client.get(reverse("security-officers")).status_code == 404
