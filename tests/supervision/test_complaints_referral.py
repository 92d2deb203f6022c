"""Referral outside the tree: the maintained list, the letters in both languages, the owner
told where the complaint went, and the complaint closed as referred with its record."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from portal.models import AuditEvent, Notification
from supervision.complaints import referral
from supervision.complaints.models import ComplaintStatus, EventKind, ReferralBody
from tests.supervision.test_complaints_lifecycle import file_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_the_maintained_list_is_loaded_by_migrate_and_a_dropped_body_takes_no_more(tmp_path):
    assert ReferralBody.objects.get(code="pboc-fuzhou").name_zh == "中国人民银行福建省分行"
    listed = tmp_path / "bodies.json"
    listed.write_text(
        '[{"code": "pboc-fuzhou", "kind": "central_bank", "name_zh": "人行福建", '
        '"name_en": "PBOC Fujian"}]',
        encoding="utf-8",
    )
    assert referral.load_bodies(listed) == (0, 1)
    assert ReferralBody.objects.get(code="pboc-fuzhou").name_zh == "人行福建"
    assert not ReferralBody.objects.get(code="pboc-xiamen").is_active


def test_referral_writes_both_letters_tells_the_owner_and_closes_as_referred(matrix):
    c = file_for(matrix)
    body = ReferralBody.objects.get(code="pboc-fuzhou")
    with pytest.raises(PermissionDenied):
        referral.refer(matrix.users["bank_a"], c, body, "征信问题")
    with pytest.raises(ValidationError, match="reason"):
        referral.refer(matrix.users["p1_head"], c, body, " ")
    made = referral.refer(matrix.users["p1_head"], c, body, "征信异议属人民银行职责")
    c.refresh_from_db()
    assert c.status == ComplaintStatus.REFERRED and c.closed_at is not None
    assert made.letter_zh.startswith("中国人民银行福建省分行：")
    assert "现将企业投诉 " + c.reference in made.letter_zh
    assert "征信异议属人民银行职责" in made.letter_zh
    assert made.letter_en.startswith("To: People's Bank of China, Fujian Branch")
    assert f"We refer to you complaint {c.reference}" in made.letter_en
    assert c.enterprise_credit_code in made.letter_en
    told = [n.text for n in Notification.objects.filter(recipient=matrix.users["owner_a"])]
    assert any("referred to 中国人民银行福建省分行" in t and "0591-12363" in t for t in told)
    step = c.events.get(kind=EventKind.REFERRED)
    assert step.note == "People's Bank of China, Fujian Branch"
    assert AuditEvent.objects.filter(verb="complaint_referred", object_id=str(c.pk)).exists()
    with pytest.raises(ValidationError, match="finished"):
        referral.refer(matrix.users["p1_head"], c, body, "again")


def test_the_owner_and_the_office_see_where_it_went_on_the_complaint_page(matrix, client_for):
    c = file_for(matrix)
    page = client_for(matrix.users["p1_head"]).post(
        f"/complaints/{c.pk}/refer/", {"body": "fujian-market", "text": "属市场监管职责"}
    )
    assert page.status_code == 302
    office_page = client_for(matrix.users["p1_head"]).get(f"/complaints/{c.pk}/").content.decode()
    assert "Referral letter" in office_page and "Fujian Administration" in office_page
    owner_page = client_for(matrix.users["owner_a"]).get(f"/complaints/{c.pk}/").content.decode()
    assert "Referred to another body" in owner_page
    assert "Fujian Administration for Market Regulation" in owner_page
    assert "Referral letter" not in owner_page
