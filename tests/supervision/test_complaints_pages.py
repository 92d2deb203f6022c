"""The complaint pages as each party uses them: the owner's intake and timeline, the
institution's inbox, the office's desk."""

import re
import uuid

import pytest
from django.urls import reverse

from portal.models import Role
from supervision.complaints import desk as office_desk
from supervision.complaints import services as complaints
from supervision.complaints.guard import new_challenge
from supervision.complaints.models import Complaint, ComplaintStatus, Outcome
from tests import factories as f
from tests.panels import panel

pytestmark = pytest.mark.django_db


@pytest.fixture
def matrix(matrix):
    """The matrix with its complaints, which it builds only when first asked for one."""
    assert matrix.complaint_a1
    return matrix


@pytest.fixture(autouse=True)
def own_cache(settings):
    """Hourly counters and used questions in a cache of the test's own: the shared one outlives
    the test's database and is shared by parallel workers, whose users' ids coincide."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"complaints-{uuid.uuid4().hex}",
        }
    }


def intake_data(m, **extra) -> dict:
    challenge = new_challenge()
    data = {
        "county": m.county_a.code,
        "branch": m.branch_a1.pk,
        "category": "collateral",
        "enterprise_name": "鼓楼小茶馆",
        "enterprise_credit_code": f.credit_code(),
        "legal_representative": "陈二",
        "address": "福州市鼓楼区",
        "contact_phone": "13700000000",
        "description": "续贷时要求追加房产抵押",
        "wish": "按原条件续贷",
        "challenge": challenge.token,
        "challenge_answer": str(challenge.a + challenge.b),
    }
    data.update(extra)
    return data


def test_owner_files_through_the_form_and_reads_the_reference(matrix, client_for):
    client = client_for(matrix.users["owner_a"])
    form = client.get(reverse("complaint-file"))
    assert form.status_code == 200
    assert re.search(r"What is \d plus \d\?", form.content.decode())
    response = client.post(reverse("complaint-file"), intake_data(matrix), follow=True)
    c = Complaint.objects.get(enterprise_name="鼓楼小茶馆")
    assert response.redirect_chain[-1][0] == reverse("complaint-confirmation", args=[c.pk])
    page = response.content.decode()
    assert c.reference in page and c.due_on.isoformat() in page
    assert (c.owner, c.branch, c.category) == (
        matrix.users["owner_a"],
        matrix.branch_a1,
        "collateral",
    )


def test_a_pasted_credit_code_is_tidied_and_the_owner_told(matrix, client_for):
    code = f.credit_code()
    pasted = " " + code.lower().replace("9", "\uff19")  # full-width nine, lower case
    response = client_for(matrix.users["owner_a"]).post(
        reverse("complaint-file"), intake_data(matrix, enterprise_credit_code=pasted), follow=True
    )
    assert f"The credit code was read as {code}." in response.content.decode()
    assert Complaint.objects.get(enterprise_name="鼓楼小茶馆").enterprise_credit_code == code


def test_the_branch_choices_follow_the_county(matrix, client_for):
    client = client_for(matrix.users["owner_a"])
    options = client.get(reverse("complaint-branches"), {"county": matrix.county_a.code})
    body = options.content.decode()
    offered = {int(v) for v in re.findall(r'value="(\d+)"', body)}
    assert offered == {matrix.branch_a1.pk, matrix.branch_c_a.pk}
    # A branch of another county is refused even if posted by hand.
    bad = client.post(reverse("complaint-file"), intake_data(matrix, branch=matrix.branch_b1.pk))
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()


def test_without_javascript_the_county_in_the_address_lists_its_branches(matrix, client_for):
    client = client_for(matrix.users["owner_a"])
    page = client.get(reverse("complaint-file"), {"county": matrix.county_b.code})
    body = page.content.decode()
    assert f'value="{matrix.branch_a2.pk}"' in body
    assert f'value="{matrix.branch_a1.pk}"' not in body


def test_bank_inbox_can_show_finished_complaints_too(matrix, client_for):
    complaints.answer(matrix.users["bank_a"], matrix.complaint_a1, Outcome.RELIEF, "已解决")
    complaints.accept_answer(matrix.users["complainant_a"], matrix.complaint_a1)
    client = client_for(matrix.users["bank_a"])
    ref = matrix.complaint_a1.reference
    assert ref not in client.get(reverse("complaint-list")).content.decode()
    everything = client.get(reverse("complaint-list") + "?open=0")
    assert ref in everything.content.decode()
    ticked = client.get(reverse("complaint-list") + "?open=0&open=1")
    assert ref not in ticked.content.decode()


def test_a_wrong_answer_or_a_bad_credit_code_keeps_what_was_typed(matrix, client_for):
    client = client_for(matrix.users["owner_a"])
    response = client.post(
        reverse("complaint-file"),
        intake_data(matrix, challenge_answer="99", enterprise_credit_code="91350100M000100Y44"),
    )
    body = response.content.decode()
    assert "not right" in body
    assert "check character is 4, expected 3" in body
    assert "续贷时要求追加房产抵押" in body
    assert not Complaint.objects.filter(enterprise_name="鼓楼小茶馆").exists()


def test_only_owners_have_the_intake_form(matrix, client_for):
    assert client_for(matrix.users["bank_a"]).get(reverse("complaint-file")).status_code == 404
    assert client_for(matrix.users["county_a"]).get(reverse("complaint-file")).status_code == 404


def test_bank_inbox_lists_its_complaints_with_due_dates(matrix, client_for):
    body = client_for(matrix.users["bank_a"]).get(reverse("complaint-list")).content.decode()
    assert matrix.complaint_a1.reference in body
    assert matrix.complaint_a1.due_on.isoformat() in body
    for other in (matrix.complaint_b1, matrix.complaint_owner_a, matrix.complaint_owner_b):
        assert other.reference not in body
    sibling = client_for(matrix.users["branch_a2"]).get(reverse("complaint-list"))
    assert matrix.complaint_a1.reference not in sibling.content.decode()


def test_owner_list_shows_only_their_own(matrix, client_for):
    body = client_for(matrix.users["owner_a"]).get(reverse("complaint-list")).content.decode()
    assert matrix.complaint_owner_a.reference in body
    assert matrix.complaint_owner_b.reference not in body
    assert matrix.complaint_a1.reference not in body


def test_bank_answers_and_owner_rejects_through_the_pages(matrix, client_for):
    c = matrix.complaint_a1
    bank = client_for(matrix.users["branch_a1"])
    url = reverse("complaint-action", args=[c.pk, "answer"])
    bank.post(url, {"outcome": Outcome.EXPLAINED, "text": "已按规定收费"})
    c.refresh_from_db()
    assert c.status == ComplaintStatus.ANSWERED
    owner = client_for(matrix.users["complainant_a"])
    response = owner.post(
        reverse("complaint-action", args=[c.pk, "reject"]), {"text": ""}, follow=True
    )
    assert "This field is required" in response.content.decode()
    owner.post(reverse("complaint-action", args=[c.pk, "reject"]), {"text": "收费不合理"})
    c.refresh_from_db()
    assert c.status == ComplaintStatus.AT_OFFICE
    desk = client_for(matrix.users["county_a"]).get(reverse("complaint-desk")).content.decode()
    assert c.reference in desk
    other_desk = client_for(matrix.users["county_b"]).get(reverse("complaint-desk"))
    assert c.reference not in other_desk.content.decode()
    assert client_for(matrix.users["bank_a"]).get(reverse("complaint-desk")).status_code == 404


def test_owner_timeline_in_their_language_without_the_office_internal_notes(matrix, client_for):
    c = matrix.complaint_owner_a
    complaints.acknowledge(f.member(Role.PREPARER, institution=matrix.bank_c), c)
    office_desk.assess(matrix.users["p1_head"], c, False, "内部意见：不构成有效投诉")
    client = client_for(matrix.users["owner_a"])
    english = client.get(reverse("complaint-detail", args=[c.pk])).content.decode()
    assert "Acknowledged by the institution" in english
    assert "The institution" in english
    assert "内部意见" not in english
    chinese = client.get(
        reverse("complaint-detail", args=[c.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "内部意见" not in chinese
    office = client_for(matrix.users["p1_head"]).get(reverse("complaint-detail", args=[c.pk]))
    assert "内部意见" in office.content.decode()


def test_script_in_text_is_shown_as_text(matrix, client_for):
    c = f.ComplaintFactory(
        owner=matrix.users["owner_a"],
        branch=matrix.branch_c_a,
        description="<script>alert(1)</script>",
        enterprise_name="<img src=x onerror=alert(2)>",
    )
    for user in ("owner_a", "county_a"):
        body = client_for(matrix.users[user]).get(reverse("complaint-detail", args=[c.pk]))
        text = body.content.decode()
        assert "<script>alert(1)</script>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "<img src=x" not in text


def test_acknowledging_confirms_what_was_done_and_each_party_reads_what_happens_next(
    matrix, client_for
):
    c = matrix.complaint_a1
    bank = client_for(matrix.users["branch_a1"])
    response = bank.post(
        reverse("complaint-action", args=[c.pk, "acknowledge"]),
        {"complexity": "simple"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert panel(response, "confirmation") == "您已受理该投诉，请在答复期限内答复。"
    assert "已完成。" not in response.content.decode()
    c.refresh_from_db()
    due = f"{c.due_on:%Y-%m-%d}"
    assert panel(response, "next-steps") == f"接下来会怎样 机构正在核查该投诉，须在 {due} 前答复。"
    owner = client_for(matrix.users["complainant_a"])
    page = owner.get(reverse("complaint-detail", args=[c.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert panel(page, "next-steps") == (
        f"What happens next The institution is looking into the complaint and must answer it "
        f"by {due}."
    )
    assert panel(page, "confirmation") == ""  # shown once, to the one who acted
