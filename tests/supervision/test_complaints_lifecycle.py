"""Each step of a complaint's life through the service functions: who may take it, from
which status, and what the parties are told."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from portal.models import AuditEvent, Notification, Role
from supervision.complaints import desk as office_desk
from supervision.complaints import services as complaints
from supervision.complaints.models import (
    ComplaintStatus,
    Complexity,
    DeskReason,
    EventKind,
    Outcome,
)
from tests import factories as f

pytestmark = pytest.mark.django_db
S = ComplaintStatus
BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _english():
    """Refusals and notifications read in English, whatever the catalogue holds."""
    with translation.override("en"):
        yield


def file_for(m, owner=None, **extra):
    """A complaint of the matrix's owner_a against branch_a1, filed through the service."""
    fields = dict(
        branch=m.branch_a1,
        county=m.branch_a1.office.divisions.get(),
        category="fees",
        enterprise_name="闽江小五金厂",
        enterprise_credit_code=f.credit_code(),
        legal_representative="林一",
        address="福州市鼓楼区五一路1号",
        contact_phone="13900000000",
        description="放贷时收取了咨询费",
        wish="退还咨询费",
    )
    fields.update(extra)
    return complaints.file_complaint(owner or m.users["owner_a"], **fields)


def _texts(user) -> list[str]:
    return [n.text for n in Notification.objects.filter(recipient=user)]


def test_filing_reaches_the_branch_and_its_institution_with_a_reference_and_a_due_date(
    matrix, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=BEIJING)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        c = file_for(matrix)
    assert c.reference == f"TS20260302{c.pk:06d}"
    assert c.status == S.FILED
    assert (c.institution, c.office) == (matrix.bank_a, matrix.county_a)
    assert c.due_on == date(2026, 3, 17)  # 15 calendar days
    assert any(c.reference in t for t in _texts(matrix.users["bank_a"]))
    assert any(c.reference in t for t in _texts(matrix.users["branch_a1"]))
    assert not any(c.reference in t for t in _texts(matrix.users["branch_a2"]))
    assert list(c.events.values_list("kind", flat=True)) == [EventKind.FILED]
    assert AuditEvent.objects.filter(verb="complaint_filed", object_id=str(c.pk)).exists()


def test_only_an_sme_owner_files_and_the_credit_code_is_checked(matrix):
    with pytest.raises(PermissionDenied):
        file_for(matrix, owner=matrix.users["bank_a"])
    with pytest.raises(ValidationError, match="check character"):
        file_for(matrix, enterprise_credit_code="91350100M000100Y44")
    with pytest.raises(ValidationError, match="what happened"):
        file_for(matrix, description="   ")
    # Pasted with spaces and in lower case, the code is kept canonical.
    c = file_for(matrix, enterprise_credit_code=" 91350100m000100y43 ")
    assert c.enterprise_credit_code == "91350100M000100Y43"


def test_acknowledging_as_complex_gives_the_longer_limit(matrix):
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=BEIJING)):
        c = file_for(matrix)
        complaints.acknowledge(matrix.users["branch_a1"], c, Complexity.COMPLEX)
    c.refresh_from_db()
    assert (c.status, c.due_on) == (S.ACKNOWLEDGED, date(2026, 4, 1))
    assert any("2026-04-01" in t for t in _texts(matrix.users["owner_a"]))
    with pytest.raises(ValidationError):
        complaints.acknowledge(matrix.users["branch_a1"], c)


def test_a_sibling_branch_another_bank_a_viewer_and_the_owner_cannot_answer(matrix):
    c = file_for(matrix)
    for user in ("branch_a2", "bank_b", "county_a", "owner_a"):
        with pytest.raises(PermissionDenied):
            complaints.answer(matrix.users[user], c, Outcome.EXPLAINED, "答复")
    c.refresh_from_db()
    assert c.status == S.FILED


def test_answer_then_accept_finishes_the_complaint(matrix):
    c = file_for(matrix)
    complaints.answer(matrix.users["bank_a"], c, Outcome.RELIEF, "已退还咨询费")
    c.refresh_from_db()
    assert (c.status, c.outcome, c.answered_late) == (S.ANSWERED, Outcome.RELIEF, False)
    assert any("accept or reject" in t for t in _texts(matrix.users["owner_a"]))
    with pytest.raises(PermissionDenied):
        complaints.accept_answer(matrix.users["owner_b"], c)
    complaints.accept_answer(matrix.users["owner_a"], c)
    c.refresh_from_db()
    assert c.status == S.ACCEPTED and c.closed_at is not None
    with pytest.raises(ValidationError):
        complaints.reject_answer(matrix.users["owner_a"], c, "后悔了")


def test_an_outcome_must_come_from_the_list(matrix):
    c = file_for(matrix)
    with pytest.raises(ValidationError, match="outcome"):
        complaints.answer(matrix.users["bank_a"], c, "whatever", "答复")


def test_rejecting_reopens_the_complaint_on_the_county_office_desk(matrix):
    c = file_for(matrix)
    complaints.answer(matrix.users["bank_a"], c, Outcome.DECLINED, "不予退还")
    with pytest.raises(ValidationError, match="why you reject"):
        complaints.reject_answer(matrix.users["owner_a"], c, "")
    complaints.reject_answer(matrix.users["owner_a"], c, "费用不合理")
    c.refresh_from_db()
    assert (c.status, c.desk_reason, c.reopen_count) == (S.AT_OFFICE, DeskReason.REJECTED, 1)
    assert any(c.reference in t for t in _texts(matrix.users["county_a"]))
    assert not any(c.reference in t for t in _texts(matrix.users["county_b"]))
    assert any("rejected" in t for t in _texts(matrix.users["bank_a"]))
    # The institution may still answer again; a second rejection reopens it again.
    complaints.answer(matrix.users["bank_a"], c, Outcome.PARTIAL, "退还一半")
    complaints.reject_answer(matrix.users["owner_a"], c, "仍不合理")
    c.refresh_from_db()
    assert (c.status, c.reopen_count) == (S.AT_OFFICE, 2)


def test_information_requested_and_given_with_an_attachment(matrix):
    c = file_for(matrix)
    complaints.request_info(matrix.users["branch_a1"], c, "请提供借款合同")
    c.refresh_from_db()
    assert c.status == S.INFO_REQUESTED
    with pytest.raises(PermissionDenied):
        complaints.provide_info(matrix.users["owner_b"], c, "合同")
    contract = SimpleUploadedFile("contract.pdf", f.pdf_bytes("contract"))
    complaints.provide_info(matrix.users["owner_a"], c, "见附件", [contract])
    c.refresh_from_db()
    assert c.status == S.ACKNOWLEDGED
    step = c.events.get(kind=EventKind.INFO_GIVEN)
    assert [a.original_name for a in step.files.all()] == ["contract.pdf"]
    assert any("more information" in t for t in _texts(matrix.users["branch_a1"]))


def test_one_extension_before_the_deadline(matrix):
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=BEIJING)):
        c = file_for(matrix)
        complaints.extend(matrix.users["bank_a"], c, "需行内审批")
        c.refresh_from_db()
        assert (c.extended, c.due_on) == (True, date(2026, 4, 16))
        with pytest.raises(ValidationError, match="once"):
            complaints.extend(matrix.users["bank_a"], c, "再延")
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=BEIJING)):
        other = file_for(matrix)
    with (
        time_machine.travel(datetime(2026, 3, 18, 9, tzinfo=BEIJING)),
        pytest.raises(ValidationError, match="passed"),
    ):
        complaints.extend(matrix.users["bank_a"], other, "太晚")


def test_an_answer_after_the_deadline_is_marked_late_by_the_system(matrix):
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=BEIJING)):
        on_time = file_for(matrix)
        late = file_for(matrix)
    with time_machine.travel(datetime(2026, 3, 17, 23, 30, tzinfo=BEIJING)):
        complaints.answer(matrix.users["bank_a"], on_time, Outcome.EXPLAINED, "说明")
    with time_machine.travel(datetime(2026, 3, 18, 0, 30, tzinfo=BEIJING)):
        complaints.answer(matrix.users["bank_a"], late, Outcome.EXPLAINED, "说明")
    on_time.refresh_from_db()
    late.refresh_from_db()
    assert (on_time.answered_late, late.answered_late) == (False, True)


def test_office_assesses_mediates_and_closes(matrix):
    c = file_for(matrix)
    complaints.answer(matrix.users["bank_a"], c, Outcome.DECLINED, "不予处理")
    complaints.reject_answer(matrix.users["owner_a"], c, "不满意")
    reviewer = f.member(Role.REVIEWER, office=matrix.county_a)
    with pytest.raises(PermissionDenied):  # a viewer watches, a reviewer acts
        office_desk.assess(matrix.users["county_a"], c, True, "确有违规收费")
    with pytest.raises(PermissionDenied):
        office_desk.assess(f.member(Role.REVIEWER, office=matrix.county_b), c, True, "x")
    office_desk.assess(reviewer, c, True, "确有违规收费")
    office_desk.mediate(matrix.users["p1_head"], c, "约谈双方")
    c.refresh_from_db()
    assert (c.substantive, c.status) == (True, S.MEDIATING)
    assert any("mediating" in t for t in _texts(matrix.users["owner_a"]))
    office_desk.close(reviewer, c, "银行已退费，调解结束")
    c.refresh_from_db()
    assert c.status == S.CLOSED and c.closed_at is not None
    assert c.events.get(kind=EventKind.SUBSTANTIVE).internal
    with pytest.raises(ValidationError):
        office_desk.mediate(reviewer, c, "再次调解")


def test_link_duplicates_both_ways_once(matrix):
    one, two = file_for(matrix), file_for(matrix)
    elsewhere = f.ComplaintFactory(branch=matrix.branch_b1)
    office_desk.link(matrix.users["p1_head"], one, two.reference, "duplicate")
    assert one.events.filter(kind=EventKind.LINKED).exists()
    assert two.events.filter(kind=EventKind.LINKED).exists()
    with pytest.raises(ValidationError, match="already linked"):
        office_desk.link(matrix.users["p1_head"], two, one.reference, "related")
    with pytest.raises(ValidationError, match="No complaint of yours"):
        office_desk.link(matrix.users["p1_head"], one, elsewhere.reference, "related")
    with pytest.raises(ValidationError, match="itself"):
        office_desk.link(matrix.users["bank_a"], one, one.reference.lower(), "related")


def test_transfer_keeps_the_history_and_the_clock(matrix):
    with time_machine.travel(datetime(2026, 3, 2, 10, tzinfo=BEIJING)):
        c = file_for(matrix)
        complaints.acknowledge(matrix.users["bank_a"], c)
    due = c.due_on
    with pytest.raises(PermissionDenied):
        office_desk.transfer(matrix.users["bank_a"], c, "不是本行", branch=matrix.branch_c_a)
    office_desk.transfer(matrix.users["p1_head"], c, "应由丙银行处理", branch=matrix.branch_c_a)
    c.refresh_from_db()
    assert (c.institution, c.branch, c.office) == (
        matrix.bank_c,
        matrix.branch_c_a,
        matrix.county_a,
    )
    assert (c.status, c.due_on) == (S.FILED, due)
    assert list(c.events.values_list("kind", flat=True)) == [
        EventKind.FILED,
        EventKind.ACKNOWLEDGED,
        EventKind.TRANSFERRED,
    ]
    # The old bank no longer sees it; the new one is told.
    with pytest.raises(PermissionDenied):
        complaints.answer(matrix.users["bank_a"], c, Outcome.EXPLAINED, "x")
    office_desk.transfer(matrix.users["p1_head"], c, "由市分局处理", office=matrix.city1)
    c.refresh_from_db()
    assert (c.office, c.branch) == (matrix.city1, matrix.branch_c_a)
    with pytest.raises(ValidationError, match="either"):
        office_desk.transfer(matrix.users["p1_head"], c, "x")
