"""The demo's complaints: one in every state, with owner logins, and loading twice adds none."""

import pytest

from portal.demo import load_demo as load_portal_demo
from supervision.complaints.demo import load_demo
from supervision.complaints.models import Complaint, ComplaintStatus

pytestmark = pytest.mark.django_db


def test_demo_shows_every_state_and_loads_once():
    load_portal_demo()
    load_demo()
    load_demo()
    assert {c.status for c in Complaint.objects.all()} == set(ComplaintStatus.values)
    assert Complaint.objects.count() == 11
    assert sorted(Complaint.objects.exclude(rating=None).values_list("rating", flat=True)) == [2, 4]
    referred = Complaint.objects.get(status=ComplaintStatus.REFERRED)
    assert referred.referral.letter_en.startswith("To: People's Bank of China")
    owner = Complaint.objects.filter(owner__email="owner2@demo.portal").first().owner
    assert owner.is_active and owner.check_password("demo-portal-2026")
    desk = Complaint.objects.filter(status=ComplaintStatus.AT_OFFICE)
    assert {c.desk_reason for c in desk} == {"overdue", "rejected"}
