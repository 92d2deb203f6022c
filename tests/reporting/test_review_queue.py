"""The regulator's review queue: filters, decisions on one, a selection or all that match, and
the Excel export under the same filters."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import InstitutionKind, Role
from reporting.models import Filing, FilingStatus
from reporting.views.review import EXPORT_COLUMNS, PAGE_SIZE
from reporting.workbooks import XLSX_CONTENT_TYPE
from tests import factories as f

pytestmark = pytest.mark.django_db

QUEUE = "review-queue"


@pytest.fixture
def head(matrix):
    return matrix.users["p1_head"]


def _detail(filing: Filing) -> str:
    return reverse("filing-detail", args=[filing.pk])


def _queue(client, **params) -> str:
    response = client.get(reverse(QUEUE), params)
    assert response.status_code == 200
    return response.content.decode()


def _status(*filings: Filing) -> list[str]:
    return [Filing.objects.get(pk=x.pk).status for x in filings]


def test_the_queue_shows_signed_filings_of_my_subtree_only(client_for, matrix, head):
    body = _queue(client_for(head))
    for filing in (matrix.filing_a, matrix.filing_a1, matrix.filing_a2):
        assert _detail(filing) in body
    for filing in (matrix.filing_b, matrix.filing_b1):
        assert _detail(filing) not in body
    for name in matrix.forbidden("p1_head"):
        assert name not in body
    county = _queue(client_for(matrix.users["county_a"]))
    assert _detail(matrix.filing_a1) in county and _detail(matrix.filing_a2) not in county


def test_the_queue_holds_only_filings_awaiting_review_unless_told_otherwise(
    client_for, matrix, head
):
    valid = f.FilingFactory(request=matrix.request_a, status=FilingStatus.VALID)
    client = client_for(head)
    assert _detail(valid) not in _queue(client)
    assert _detail(valid) in _queue(client, status="any")
    only_valid = _queue(client, status=FilingStatus.VALID)
    assert _detail(valid) in only_valid and _detail(matrix.filing_a) not in only_valid


def test_filters_by_spec_period_office_and_institution_type(client_for, matrix, head):
    client = client_for(head)
    insurer = f.InstitutionFactory(office=matrix.p1, kind=InstitutionKind.INSURER)
    insurance = f.FilingFactory(
        request=f.ReturnRequestFactory(
            institution=insurer, spec_code="SME-INSURANCE", period="2025Q2"
        ),
        status=FilingStatus.SUBMITTED,
    )
    everything = [matrix.filing_a, matrix.filing_a1, matrix.filing_a2, insurance]

    def shown(**params):
        body = _queue(client, **params)
        return {x for x in everything if _detail(x) in body}

    assert shown() == set(everything)
    assert shown(spec="SME-INSURANCE") == {insurance}
    assert shown(period="2025q2") == {insurance}
    assert shown(kind=InstitutionKind.INSURER) == {insurance}
    assert shown(kind=InstitutionKind.CITY_COMMERCIAL) == set(everything) - {insurance}
    # A branch goes by its own office; an institution's own filing by the head office's.
    assert shown(office=matrix.county_a.code) == {matrix.filing_a1}
    assert shown(office="3501") == {matrix.filing_a1, matrix.filing_a2}
    assert shown(office="35") == set(everything)
    assert shown(office="44") == set()  # another province: the prefix never widens the scope


def test_accept_a_selection(client_for, matrix, head):
    client = client_for(head)
    response = client.post(
        reverse(QUEUE),
        {
            "decision": "accept",
            "target": "selected",
            "ids": [matrix.filing_a1.pk, matrix.filing_b.pk],  # b is not theirs: ignored
        },
    )
    assert response.status_code == 302
    assert _status(matrix.filing_a1, matrix.filing_a2, matrix.filing_b) == [
        FilingStatus.ACCEPTED,
        FilingStatus.SUBMITTED,
        FilingStatus.SUBMITTED,
    ]
    assert Filing.objects.get(pk=matrix.filing_a1.pk).is_current


def test_accept_all_that_match_the_filter(client_for, matrix, head):
    client = client_for(head)
    data = {"decision": "accept", "target": "all", "office": "3501", "comment": "齐全"}
    asked = client.post(reverse(QUEUE), data)
    assert asked.status_code == 200  # asked first, nothing decided yet
    assert _status(matrix.filing_a1, matrix.filing_a2) == [FilingStatus.SUBMITTED] * 2
    response = client.post(reverse(QUEUE), {**data, "confirmed": "2"}, follow=True)
    assert "2 filings accepted" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse(QUEUE) + "?office=3501"
    assert _status(matrix.filing_a1, matrix.filing_a2, matrix.filing_a, matrix.filing_b) == [
        FilingStatus.ACCEPTED,
        FilingStatus.ACCEPTED,
        FilingStatus.SUBMITTED,
        FilingStatus.SUBMITTED,
    ]


def test_returning_needs_a_comment(client_for, matrix, head):
    client = client_for(head)
    data = {"decision": "return", "target": "selected", "ids": [matrix.filing_a.pk]}
    response = client.post(reverse(QUEUE), data)
    assert response.status_code == 200
    assert "Say what the bank must correct" in response.content.decode()
    assert _status(matrix.filing_a) == [FilingStatus.SUBMITTED]
    client.post(reverse(QUEUE), {**data, "comment": "贷款余额口径有误"})
    filing = Filing.objects.get(pk=matrix.filing_a.pk)
    assert (filing.status, filing.review_comment) == (FilingStatus.RETURNED, "贷款余额口径有误")


def test_a_selection_is_needed_unless_all_are_chosen(client_for, matrix, head):
    response = client_for(head).post(reverse(QUEUE), {"decision": "accept", "target": "selected"})
    assert response.status_code == 200 and "Tick the filings" in response.content.decode()


def test_viewers_see_the_queue_but_may_not_decide_and_banks_have_none(client_for, matrix):
    viewer = client_for(matrix.users["county_a"])
    body = _queue(viewer)
    assert 'name="decision"' not in body
    response = viewer.post(
        reverse(QUEUE), {"decision": "accept", "target": "selected", "ids": [matrix.filing_a1.pk]}
    )
    assert response.status_code == 403
    assert _status(matrix.filing_a1) == [FilingStatus.SUBMITTED]
    bank = client_for(matrix.users["bank_a"])
    assert bank.get(reverse(QUEUE)).status_code == 404
    assert bank.get(reverse("review-export")).status_code == 404


def test_the_queue_is_paginated(client_for, matrix, head):
    for _ in range(PAGE_SIZE + 1 - 3):  # the matrix gives p1_head three already
        f.FilingFactory(request=matrix.request_a, status=FilingStatus.SUBMITTED)
    client = client_for(head)
    first = _queue(client)
    assert f"{PAGE_SIZE + 1} filings match" in first and "page=2" in first
    assert first.count('name="ids"') == PAGE_SIZE
    assert _queue(client, page=2).count('name="ids"') == 1


def test_export_has_bilingual_headings_the_filtered_rows_and_safe_text(client_for, matrix, head):
    Filing.objects.filter(pk=matrix.filing_a2.pk).update(
        status=FilingStatus.RETURNED,
        review_comment='=HYPERLINK("http://x")',
        reviewed_by=head,
        reviewed_at=timezone.now(),
    )
    client = client_for(head)
    response = client.get(reverse("review-export"), {"status": "any", "office": "3501"})
    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0] == tuple(f"{zh} {en}" for zh, en in EXPORT_COLUMNS)
    filers = {r[0] for r in rows[1:]}
    assert filers == {matrix.branch_a1.name_zh, matrix.branch_a2.name_zh}
    returned = next(r for r in rows[1:] if r[0] == matrix.branch_a2.name_zh)
    assert returned[-1] == '\'=HYPERLINK("http://x")'
    assert "退回" in returned[8] or "Returned" in returned[8]
    assert returned[10] == "MATRIX-A2"

    default = client.get(reverse("review-export"))  # awaiting review only, like the page
    rows = list(openpyxl.load_workbook(io.BytesIO(default.content)).active.values)
    assert {r[0] for r in rows[1:]} == {matrix.bank_a.name_zh, matrix.branch_a1.name_zh}
    other = client_for(matrix.users["p2_head"]).get(reverse("review-export"))
    rows = list(openpyxl.load_workbook(io.BytesIO(other.content)).active.values)
    assert {r[0] for r in rows[1:]} == {matrix.bank_b.name_zh, matrix.branch_b1.name_zh}


def test_a_reviewer_of_a_county_decides_only_there(client_for, matrix):
    reviewer = f.member(Role.REVIEWER, office=matrix.county_a)
    client = client_for(reviewer)
    client.post(reverse(QUEUE), {"decision": "accept", "target": "all", "confirmed": "1"})
    assert _status(matrix.filing_a1, matrix.filing_a2, matrix.filing_a) == [
        FilingStatus.ACCEPTED,
        FilingStatus.SUBMITTED,
        FilingStatus.SUBMITTED,
    ]


def test_a_filing_whose_signer_left_still_shows_in_the_queue_and_on_its_pages(
    client_for, matrix, head
):
    filing = matrix.filing_a
    Filing.objects.filter(pk=filing.pk).update(signed_at=timezone.now(), signed_by=None)
    client = client_for(head)
    assert "MATRIX-A" in _queue(client)
    assert client.get(_detail(filing)).status_code == 200
    assert client.get(reverse("request-detail", args=[filing.request_id])).status_code == 200


# -- issue 15: "all matching" states the count and asks once; Accept and Return differ ------


def test_accept_all_matching_states_the_count_and_asks_once_without_javascript(
    client_for, matrix, head
):
    client = client_for(head)
    data = {"decision": "accept", "target": "all", "office": "3501", "comment": "齐全"}
    response = client.post(reverse(QUEUE), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="confirm-all"' in body
    assert "Accept all 2 filings matching the filter?" in body
    for filing in (matrix.filing_a1, matrix.filing_a2):
        assert _detail(filing) in body  # the reviewer sees which ones
    assert _detail(matrix.filing_a) not in body
    # The second submit repeats the filters, the decision and the comment, with the count.
    assert 'name="confirmed" value="2"' in body
    assert 'name="office" value="3501"' in body and 'value="齐全"' in body
    assert "<script" not in body[body.index('data-testid="confirm-all"') :]
    assert _status(matrix.filing_a1, matrix.filing_a2) == [FilingStatus.SUBMITTED] * 2


def test_returning_all_matching_asks_too(client_for, matrix, head):
    client = client_for(head)
    data = {"decision": "return", "target": "all", "office": "3501", "comment": "口径有误"}
    body = client.post(reverse(QUEUE), data).content.decode()
    assert "Return all 2 filings matching the filter to the bank?" in body
    client.post(reverse(QUEUE), {**data, "confirmed": "2"})
    assert _status(matrix.filing_a1, matrix.filing_a2) == [FilingStatus.RETURNED] * 2


def test_when_the_count_changed_since_asked_it_asks_again(client_for, matrix, head):
    client = client_for(head)
    f.FilingFactory(request=matrix.request_a1, status=FilingStatus.SUBMITTED)
    data = {"decision": "accept", "target": "all", "office": "3501", "confirmed": "2"}
    response = client.post(reverse(QUEUE), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Accept all 3 filings matching the filter?" in body
    assert "changed" in body
    assert _status(matrix.filing_a1, matrix.filing_a2) == [FilingStatus.SUBMITTED] * 2


def test_the_queue_s_accept_and_return_buttons_look_different(client_for, head):
    body = _queue(client_for(head))
    found = dict(
        re.findall(r'<button type="submit" name="decision" value="(\w+)" class="([^"]+)"', body)
    )
    assert set(found) == {"accept", "return"} and found["accept"] != found["return"]
