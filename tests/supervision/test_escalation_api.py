"""Escalation in the API: an office reads its cases with their causes; an institution reads
its rectification notices with the answers and decisions, and no case."""


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
