"""The complaints API: an institution's system reads its complaints and answers them; owners
read theirs without the office's internal steps."""

import pytest
from django.urls import reverse

from supervision.complaints import desk as office_desk
from supervision.complaints.models import ComplaintStatus

pytestmark = pytest.mark.django_db


def test_a_bank_lists_only_its_complaints_and_answers_one(matrix, client_for):
    assert matrix.complaint_owner_b  # the matrix builds its complaints when first asked
    client = client_for(matrix.users["bank_a"])
    listed = client.get(reverse("api:complaint-list")).json()["results"]
    assert [c["reference"] for c in listed] == [matrix.complaint_a1.reference]
    url = reverse("api:complaint-acknowledge", args=[matrix.complaint_a1.pk])
    assert client.post(url, {"complexity": "complex"}).json()["complexity"] == "complex"
    answer = reverse("api:complaint-answer", args=[matrix.complaint_a1.pk])
    refused = client.post(
        answer, {"outcome": "shrug", "text": "x"}, content_type="application/json"
    )
    assert refused.status_code == 400
    done = client.post(
        answer, {"outcome": "relief", "text": "已退费"}, content_type="application/json"
    ).json()
    assert (done["status"], done["outcome"]) == (ComplaintStatus.ANSWERED, "relief")
    assert [e["step"] for e in done["events"]] == ["acknowledged", "answered"]
    again = client.post(answer, {"outcome": "relief", "text": "再答"})
    assert again.status_code == 400


def test_a_viewer_cannot_answer_and_an_owner_sees_no_internal_step(matrix, client_for):
    c = matrix.complaint_owner_a
    office_desk.assess(matrix.users["p1_head"], c, True, "内部认定")
    viewer = client_for(matrix.users["county_a"])
    answer = reverse("api:complaint-answer", args=[c.pk])
    assert viewer.post(answer, {"outcome": "relief", "text": "x"}).status_code == 403
    office = viewer.get(reverse("api:complaint-detail", args=[c.pk])).json()
    assert [e["step"] for e in office["events"]] == ["substantive"]
    owner = client_for(matrix.users["owner_a"])
    mine = owner.get(reverse("api:complaint-detail", args=[c.pk])).json()
    assert mine["events"] == [] and "substantive" not in mine
