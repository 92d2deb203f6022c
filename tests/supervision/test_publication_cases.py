"""Typical cases: written by an office from a complaint (its parties' names removed, or their
consent recorded; identifiers never) or a screening story, approved by another head, shown on
the public site with date and office, and withdrawn with the reason, every step audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from portal.models import AuditEvent, Role
from supervision.publication import services as publication
from supervision.publication.models import CaseSource, CaseStatus
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _case(**changes) -> dict:
    fields = dict(
        source=CaseSource.COMPLAINT,
        complaint_reference="",
        consent=False,
        consent_note="",
        title_zh="违规收取顾问费被退还",
        title_en="Advisory fees refunded",
        body_zh="某小微企业投诉某银行在放贷时收取财务顾问费，经调解已退还。",
        body_en="A small firm complained of an advisory fee charged with a loan; it was refunded.",
    )
    fields.update(changes)
    return fields


@pytest.fixture
def complaint(matrix):
    return f.ComplaintFactory(
        branch=matrix.branch_a1,
        enterprise_name="闽江小五金厂",
        legal_representative="林一",
        contact_phone="13900000000",
    )


def test_a_case_from_a_complaint_may_not_name_its_parties_without_consent(matrix, complaint):
    head = matrix.users["p1_head"]
    named = _case(complaint_reference=complaint.reference, body_zh="闽江小五金厂投诉……")
    with pytest.raises(ValidationError, match="闽江小五金厂"):
        publication.write_case(head, matrix.p1, **named)
    with pytest.raises(ValidationError, match="consent was recorded"):
        publication.write_case(head, matrix.p1, **named | {"consent": True})
    made = publication.write_case(
        head, matrix.p1, **named | {"consent": True, "consent_note": "2026-03-01 书面同意"}
    )
    assert made.status == CaseStatus.DRAFT
    # A phone number or credit code is never published, consent or not.
    phoned = named | {"consent": True, "consent_note": "书面同意", "body_en": "Call 13900000000"}
    with pytest.raises(ValidationError, match="13900000000"):
        publication.write_case(head, matrix.p1, **phoned)
    # Only a complaint the writer can see.
    with pytest.raises(ValidationError, match="No complaint of yours"):
        publication.write_case(
            matrix.users["p2_head"], matrix.p2, **_case(complaint_reference=complaint.reference)
        )
    with pytest.raises(PermissionDenied):
        publication.write_case(matrix.users["county_a"], matrix.county_a, **_case())


def test_another_head_approves_it_is_public_and_a_withdrawal_takes_it_off(matrix, client):
    writer = f.member(Role.REVIEWER, office=matrix.county_a)
    case = publication.write_case(writer, matrix.county_a, **_case(source=CaseSource.SCREENING))
    assert client.get(reverse("public-case", args=[case.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        publication.approve_case(writer, case)  # a reviewer writes, a head approves
    with pytest.raises(PermissionDenied):
        publication.approve_case(matrix.users["p2_head"], case)
    publication.approve_case(matrix.users["p1_head"], case)
    page = client.get(reverse("public-case", args=[case.pk])).content.decode()
    assert "Advisory fees refunded" in page and matrix.county_a.name_zh in page
    assert "Advisory fees refunded" in client.get(reverse("public-cases")).content.decode()
    with pytest.raises(ValidationError, match="reason"):
        publication.withdraw_case(matrix.users["p1_head"], case, " ")
    publication.withdraw_case(matrix.users["p1_head"], case, "当事企业要求撤下")
    assert client.get(reverse("public-case", args=[case.pk])).status_code == 404
    verbs = set(AuditEvent.objects.filter(object_id=str(case.pk)).values_list("verb", flat=True))
    assert {"typical_case_written", "typical_case_published", "typical_case_withdrawn"} <= verbs


def test_the_writer_cannot_approve_their_own_case(matrix):
    case = publication.write_case(matrix.users["p1_head"], matrix.p1, **_case(source="screening"))
    with pytest.raises(ValidationError, match="Another head"):
        publication.approve_case(matrix.users["p1_head"], case)


def test_the_office_pages_write_and_approve(matrix, client_for):
    page = client_for(matrix.users["p1_head"]).post(
        reverse("typical-case-list"), {"office": matrix.city1.code, **_case(source="screening")}
    )
    assert page.status_code == 302
    case_url = page["Location"]
    gb = client_for(matrix.users["gb_head"])
    assert "Approve and publish" in gb.get(case_url).content.decode()
    gb.post(case_url + "approve/")
    assert "Published" in gb.get(case_url).content.decode()
