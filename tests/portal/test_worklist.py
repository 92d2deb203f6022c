"""The home page says first what waits for the user, counted within their scope: returns to
review for an office, notices and complaints to answer for a bank, answers to confirm for an
SME owner; another office's or bank's work is not counted."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import worklist
from portal.models import Role
from reporting.models import FilingStatus
from supervision.complaints import services as complaints
from supervision.escalation import raising
from supervision.escalation import services as escalation
from tests import factories as f

pytestmark = pytest.mark.django_db


def _items(client) -> dict[str, tuple[int, str]]:
    """The home page's waiting items: label -> (count, link)."""
    page = client.get(reverse("home")).content.decode()
    found = re.findall(
        r'<li><a href="([^"]+)">([^<]+) <span class="figure">(\d+)</span></a></li>', page
    )
    return {label.strip(): (int(count), url) for url, label, count in found}


def test_an_office_sees_the_returns_awaiting_its_review_and_no_other_offices(matrix, client_for):
    # The matrix's signed filings: bank_a's three in province 1, bank_b's two in province 2.
    p1 = _items(client_for(matrix.users["p1_head"]))
    assert p1["Returns awaiting review"] == (3, reverse("review-queue"))
    assert _items(client_for(matrix.users["p2_head"]))["Returns awaiting review"][0] == 2

    matrix.filing_a.status = FilingStatus.ACCEPTED
    matrix.filing_a.save(update_fields=["status"])
    assert _items(client_for(matrix.users["p1_head"]))["Returns awaiting review"][0] == 2
    # A viewer reviews nothing.
    assert "Returns awaiting review" not in _items(client_for(matrix.users["county_a"]))


def test_a_bank_sees_the_returns_it_still_has_to_file(matrix, client_for):
    # The matrix's own requests are filed (signed, awaiting review); a new one is not.
    bank = client_for(matrix.users["bank_a"])
    assert "Returns to file" not in _items(bank)
    f.ReturnRequestFactory(institution=matrix.bank_a, period="2025Q4")
    count, url = _items(bank)["Returns to file"]
    assert count == 1 and url == f"{reverse('request-list')}?completeness=not_filed"
    assert "Returns to file" not in _items(client_for(matrix.users["bank_b"]))


def test_a_bank_sees_the_notices_to_answer_until_it_answers(matrix, client_for):
    case = raising.escalation_raise(f.cause(matrix.bank_a, measure=4))
    reviewer = f.member(Role.REVIEWER, office=matrix.bank_a.office)
    notice = escalation.notice_issue(
        reviewer, case, "整改", timezone.localdate() + timedelta(days=9)
    )
    bank = client_for(matrix.users["bank_a"])
    assert _items(bank)["Rectification notices to answer"] == (1, reverse("escalation-notices"))
    assert "Rectification notices to answer" not in _items(client_for(matrix.users["bank_b"]))

    escalation.notice_answer(matrix.users["bank_a"], notice, "已整改")
    assert "Rectification notices to answer" not in _items(bank)
    office = _items(client_for(reviewer))
    assert office["Remedies awaiting your decision"][0] == 1


def test_an_owner_sees_the_answers_to_confirm(matrix, client_for):
    c = matrix.complaint_owner_a
    owner = client_for(matrix.users["owner_a"])
    assert "Answers to your complaints to confirm or reject" not in _items(owner)
    officer = f.member(Role.PREPARER, branch=c.branch)
    complaints.acknowledge(officer, c)
    complaints.answer(officer, c, "relief", "已退还费用")
    count, url = _items(owner)["Answers to your complaints to confirm or reject"]
    assert count == 1 and url.endswith("?status=answered")


def test_nothing_waiting_says_so(db, client_for):
    office = f.office("000000", "总局")
    page = client_for(f.member(Role.VIEWER, office=office)).get(reverse("home"))
    assert "Nothing is waiting for you." in page.content.decode()


def test_every_part_registers_its_source():
    assert set(worklist.SOURCES) == {
        "returns",
        "screening",
        "evaluation",
        "evaluation-rectification",
        "complaints",
        "escalation",
    }
