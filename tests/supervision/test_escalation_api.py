"""Escalation in the API: an office reads its cases with their causes; an institution reads
its rectification notices with the answers and decisions, and no case, and answers a notice
with evidence."""

from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal import stored_files
from supervision.escalation import services as escalation
from supervision.escalation.models import NoticeStatus


def test_an_office_reads_its_cases_with_their_causes(matrix, client):
    case = matrix.case_a1  # the matrix builds escalation's part on first use
    client.force_login(matrix.users["county_a"])
    cases = client.get("/api/v1/escalation-cases/").json()["results"]
    assert [c["id"] for c in cases] == [case.pk]
    assert cases[0]["office"] == matrix.county_a.code
    assert cases[0]["causes"][0]["kind"] == "low-grade"

    client.force_login(matrix.users["p1_head"])
    ids = {c["id"] for c in client.get("/api/v1/escalation-cases/").json()["results"]}
    assert ids == {matrix.case_a1.pk, matrix.case_a2.pk, matrix.case_bank_a.pk}


def test_an_institution_reads_its_notices_and_answers_but_no_case(matrix, client):
    notice = matrix.notice_a1
    client.force_login(matrix.users["branch_a1"])
    assert client.get("/api/v1/escalation-cases/").json()["results"] == []
    notices = client.get("/api/v1/rectification-notices/").json()["results"]
    assert [n["id"] for n in notices] == [notice.pk]
    answer = notices[0]["responses"][0]
    assert answer["decision"] == "pending"
    assert answer["evidence"][0]["sha256"] == matrix.evidence_a1.sha256


def test_an_institution_answers_a_notice_with_evidence_through_the_api(matrix, client):
    notice = matrix.notice_a1
    escalation.notice_decide(matrix.users["p1_head"], notice, False, "缺少董事会决议")
    url = reverse("api:rectification-notice-answer", args=[notice.pk])
    client.force_login(matrix.users["p1_head"])
    assert client.post(url, {"text": "由监管代答"}).status_code == 403

    client.force_login(matrix.users["branch_a1"])
    resolution = SimpleUploadedFile("决议.pdf", b"%PDF-1.4 resolution")
    answered = client.post(url, {"text": "补充董事会决议", "evidence": [resolution]})
    assert answered.status_code == 200, answered.content
    body = answered.json()
    assert body["status"] == NoticeStatus.ANSWERED
    latest = body["responses"][-1]
    assert latest["text"] == "补充董事会决议"
    assert latest["evidence"][0]["original_name"] == "决议.pdf"
    again = client.post(url, {"text": "再答"})
    assert again.status_code == 400 and "not awaiting an answer" in again.content.decode()


def test_an_answer_with_too_large_a_file_is_refused_naming_it(matrix, client):
    notice = matrix.notice_a1
    escalation.notice_decide(matrix.users["p1_head"], notice, False, "缺少附件")
    client.force_login(matrix.users["bank_a"])
    url = reverse("api:rectification-notice-answer", args=[notice.pk])
    with mock.patch.object(stored_files, "EVIDENCE_MAX_BYTES", 10):
        refused = client.post(
            url, {"text": "附件", "evidence": [SimpleUploadedFile("大.pdf", b"%PDF-1.4 big")]}
        )
    assert refused.status_code == 400 and "大.pdf" in refused.content.decode()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ISSUED
