"""Field visits (issue 19): a bank officer or the county's task force records a visit to an
assigned enterprise through the API the offline app sends to; the visit fills the enterprise's
screening answer; the same visit sent twice is recorded once; a visit of an enterprise assigned
elsewhere meanwhile is refused with a message."""

import base64
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import Role
from supervision.screening import assignment as screening_assignment
from supervision.screening import deadlines as screening_deadlines
from supervision.screening.models import Assignment, AssignmentEntry, TaskEnterprise
from supervision.screening.visits.models import Visit, VisitPhoto
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/api/v1/screening-visits/"
# The smallest JPEG header the portal recognises, and a PNG's signature.
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_TEXT = "data:image/jpeg;base64," + base64.b64encode(JPEG).decode()


@pytest.fixture
def matrix(matrix):
    """The matrix without its own visit (tests/matrix_parts/screening.py), so that each test
    counts the visits it records; its enterprises pushed yesterday."""
    matrix.screening_visit_a1.delete()
    # Pushed yesterday, so that a visit made hours ago is after the push at any hour.
    screening_assignment.date_push(
        TaskEnterprise.objects.filter(task=matrix.screening_task_p1),
        timezone.now() - timedelta(days=1),
    )
    return matrix


def visit(matrix, **changes) -> dict:
    """A visit to the matrix's enterprise A (assigned to branch a1), as the app sends it."""
    enterprise = matrix.screening_enterprises["a"]
    body = {
        "client_id": str(uuid.uuid4()),
        "assignment": matrix.screening_assignment_a1.pk,
        "enterprise": enterprise.pk,
        "visited_at": timezone.now().isoformat(),
        "visitors": "王客户经理",
        "met": "李总（法定代表人）",
        "need_amount": "120",
        "need_term": 12,
        "need_purpose": "采购原材料",
        "offered": "信用贷款 100 万元，一年期",
        "decision": "granted",
        "credit_amount": "100",
        "loan_amount": "80",
        "rate": "3.45",
        "credit_loan": True,
        "first_time": True,
        "next_step": "补充纳税证明",
        "next_step_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }
    body.update(changes)
    return body


def send(client, body):
    return client.post(URL, body, content_type="application/json")


def test_a_visit_fills_the_enterprises_answer(matrix, client_for):
    client = client_for(matrix.users["branch_a1"])
    response = send(client, visit(matrix, photos=[base64.b64encode(JPEG).decode()]))
    assert response.status_code == 201, response.json()
    enterprise = TaskEnterprise.objects.get(pk=matrix.screening_enterprises["a"].pk)
    assert enterprise.decision == "granted"
    assert enterprise.credit_amount == 100
    assert enterprise.first_time is True
    assert enterprise.contact_date == timezone.localdate()
    entry = AssignmentEntry.objects.get(enterprise=enterprise)
    assert (entry.decision, entry.loan_amount) == ("granted", 80)
    recorded = Visit.objects.get()
    assert recorded.met == "李总（法定代表人）"
    assert recorded.photos.get().content_type == "image/jpeg"


def test_a_visit_queued_offline_and_sent_twice_is_recorded_once(matrix, client_for):
    client = client_for(matrix.users["branch_a1"])
    body = visit(matrix, photos=[base64.b64encode(PNG).decode()])
    first, again = send(client, body), send(client, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Visit.objects.count() == 1
    assert VisitPhoto.objects.count() == 1


def test_a_reassigned_enterprises_queued_visit_is_refused_with_a_message(matrix, client_for):
    body = visit(matrix)  # queued on the phone while the enterprise was still branch a1's
    branch = f.BranchFactory(institution=matrix.bank_b, office=matrix.county_a)
    screening_assignment.assign(
        matrix.users["p1_head"],
        matrix.screening_task_p1,
        matrix.county_a,
        institution=matrix.bank_b,
        branch=branch,
        credit_codes=[matrix.screening_code_a],
    )
    response = send(client_for(matrix.users["branch_a1"]), body)
    assert response.status_code == 409
    message = response.json()["detail"]
    assert matrix.screening_enterprises["a"].name in message
    assert "not recorded" in message
    assert branch.name_zh not in message  # the other bank is not named to this one
    assert not Visit.objects.exists()
    assert TaskEnterprise.objects.get(pk=body["enterprise"]).decision == ""


def test_the_county_task_force_records_visits_under_its_assignments(matrix, client_for):
    task_force = f.member(Role.REVIEWER, office=matrix.county_a)
    response = send(client_for(task_force), visit(matrix, decision="no_need", credit_amount=None))
    assert response.status_code == 201, response.json()
    assert TaskEnterprise.objects.get(pk=response.json()["enterprise"]).decision == "no_need"


@pytest.mark.parametrize("user", ["branch_a2", "county_b", "bank_b", "county_a"])
def test_others_may_not_record_a_visit(matrix, client_for, user):
    """A sibling branch, a neighbouring county, another bank: 404; a county viewer (not the
    task force) likewise."""
    response = send(client_for(matrix.users[user]), visit(matrix))
    assert response.status_code == 404
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"decision": "declined", "credit_amount": None}, "reason from the list"),
        ({"decline_reason": "poor_credit"}, "only when the enterprise is declined"),
        ({"credit_amount": None}, "credit amount above 0"),
        ({"visited_at": (timezone.now() + timedelta(days=1)).isoformat()}, "in the future"),
        ({"next_step_on": "2000-01-01"}, "before the visit"),
        ({"latitude": "26.07"}, "latitude, longitude and accuracy"),
        ({"photos": [base64.b64encode(b"GIF89a....").decode()]}, "JPEG or PNG"),
    ],
)
def test_a_visit_that_does_not_hold_together_is_refused(matrix, client_for, changes, message):
    response = send(client_for(matrix.users["branch_a1"]), visit(matrix, **changes))
    assert response.status_code == 400
    assert message in str(response.json())
    assert not Visit.objects.exists()


def test_a_late_visit_does_not_overwrite_a_later_answer(matrix, client_for):
    """A phone offline for days sends an older visit after a newer one arrived."""
    client = client_for(matrix.users["branch_a1"])
    now = timezone.now()
    send(client, visit(matrix, visited_at=now.isoformat()))
    earlier = (now - timedelta(hours=5)).isoformat()
    response = send(
        client, visit(matrix, visited_at=earlier, decision="pending", credit_amount=None)
    )
    assert response.status_code == 201
    enterprise = TaskEnterprise.objects.get(pk=response.json()["enterprise"])
    assert enterprise.decision == "granted"
    assert Visit.objects.count() == 2


def test_a_client_id_of_another_officers_visit_is_refused(matrix, client_for):
    body = visit(matrix)
    send(client_for(matrix.users["branch_a1"]), body)
    task_force = f.member(Role.REVIEWER, office=matrix.county_a)
    response = send(client_for(task_force), body)
    assert response.status_code == 400
    assert Visit.objects.count() == 1


def test_visits_are_listed_to_whom_they_concern(matrix, client_for):
    send(client_for(matrix.users["branch_a1"]), visit(matrix))
    for user, count in (("branch_a1", 1), ("p1_head", 1), ("branch_a2", 0), ("p2_head", 0)):
        listed = client_for(matrix.users[user]).get(URL).json()
        assert listed["count"] == count, user
    assert reverse("api:screening-visit-list") == URL


# -- the app's pages --------------------------------------------------------------------------


def test_the_app_lists_the_officers_enterprises_with_the_bank_seeing_contacts(matrix, client_for):
    enterprise = matrix.screening_enterprises["a"]
    page = client_for(matrix.users["branch_a1"]).get(reverse("screening-visit-app"))
    assert page.status_code == 200
    body = page.content.decode()
    assert enterprise.name in body
    assert f'data-assignment="{matrix.screening_assignment_a1.pk}"' in body
    assert enterprise.phone in body  # the assigned bank calls the enterprise
    assert matrix.screening_enterprises["b"].name not in body  # branch a2's
    assert 'rel="manifest"' in body


def test_the_task_force_sees_its_countys_enterprises_with_contacts_masked(matrix, client_for):
    task_force = f.member(Role.REVIEWER, office=matrix.county_a)
    body = client_for(task_force).get(reverse("screening-visit-app")).content.decode()
    enterprise = matrix.screening_enterprises["a"]
    assert enterprise.name in body
    assert enterprise.phone not in body


def test_the_service_worker_and_manifest_make_the_app_installable(client):
    worker = client.get(reverse("screening-visit-worker"))
    assert worker.status_code == 200
    assert worker["Content-Type"].startswith("text/javascript")
    assert "/static/visits/app.js" in worker.content.decode()
    manifest = client.get(reverse("screening-visit-manifest")).json()
    assert manifest["start_url"] == reverse("screening-visit-app")
    assert manifest["display"] == "standalone"


def test_a_recorded_visit_opens_with_its_photo(matrix, client_for):
    response = send(client_for(matrix.users["branch_a1"]), visit(matrix, photos=[JPEG_TEXT]))
    recorded = Visit.objects.get(pk=response.json()["id"])
    client = client_for(matrix.users["p1_head"])
    page = client.get(reverse("screening-visit", args=[recorded.pk]))
    assert "李总（法定代表人）" in page.content.decode()
    photo = client.get(reverse("screening-visit-photo", args=[recorded.photos.get().pk]))
    assert photo["Content-Type"] == "image/jpeg"
    assert b"".join(photo.streaming_content).startswith(b"\xff\xd8\xff")


def test_an_assignment_answered_by_visits_is_not_overdue(matrix, client_for):
    """Results recorded from visits need no workbook: once every enterprise the assignment
    holds has an answer from a visit, it is neither overdue nor awaiting results."""
    assignment = matrix.screening_assignment_a1
    past = timezone.localdate() - timedelta(days=3)
    Assignment.objects.filter(pk=assignment.pk).update(due_date=past)
    late = screening_deadlines.overdue(
        Assignment.objects.filter(pk=assignment.pk), timezone.localdate()
    )
    assert late.exists()
    client = client_for(matrix.users["branch_a1"])
    for enterprise in TaskEnterprise.objects.filter(assignment=assignment):
        body = visit(matrix, enterprise=enterprise.pk, decision="no_need", credit_amount=None)
        assert send(client, body).status_code == 201
    assert not late.exists()
    assert not screening_deadlines.unfiled(Assignment.objects.filter(pk=assignment.pk)).exists()


def test_the_enterprise_history_lists_its_visits_to_whom_they_concern(matrix, client_for):
    send(client_for(matrix.users["branch_a1"]), visit(matrix, visitors="访客甲"))
    url = reverse("screening-enterprise", args=[matrix.screening_code_a])
    assert "访客甲" in client_for(matrix.users["p1_head"]).get(url).content.decode()
    assert "访客甲" in client_for(matrix.users["branch_a1"]).get(url).content.decode()
