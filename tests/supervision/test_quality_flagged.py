"""The office's page of flagged figures: the outliers found in its subtree's returns, each to
mark "follow up" or "explained"; a figure marked to follow up is drawn into the next sample
of rows to verify, whatever the random draw."""

import pytest
from django.urls import reverse

from portal.models import AuditEvent, Role
from reporting.models import Filing, FilingRow, FilingStatus
from supervision.evaluation import sampling
from supervision.quality.models import FigureMark, MarkState
from tests import factories as f
from tests.reporting.returns import LOANS, checked, loan_row, open_request, upload, workbook

pytestmark = pytest.mark.django_db

PERIOD = "2025Q3"
HISTORY = ("2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2")


@pytest.fixture
def planted(matrix, tmp_path):
    """bank_a's 2025Q3 return with an SME balance thirty times its usual in row 3."""
    bank = matrix.bank_a
    for period in HISTORY:
        f.accepted_loans(bank, [loan_row("350102"), loan_row("350121")], period)
    rows = [loan_row("350102", sme_balance=30000, all_balance=90000), loan_row("350121")]
    preparer = f.member(Role.PREPARER, institution=bank)
    request = open_request(bank, LOANS, period=PERIOD)
    filing = upload(preparer, request, workbook(tmp_path / "q3.xlsx", rows))
    filing = checked(filing.pk)
    assert filing.status == FilingStatus.NEEDS_CONFIRMATION
    # Signed with its warnings confirmed: in the office's hands.
    Filing.objects.filter(pk=filing.pk).update(status=FilingStatus.SUBMITTED)
    return filing


def _page(client, office):
    url = reverse("quality-flagged", kwargs={"code": office.code})
    return url, client.get(url, {"period": PERIOD})


def test_the_office_sees_its_subtrees_flagged_figures_and_marks_them(matrix, planted, client_for):
    client = client_for(matrix.users["p1_head"])
    url, page = _page(client, matrix.p1)
    flagged = page.context["flagged"]
    # The two planted figures of row 3; nothing of row 4.
    assert {(x.filing, x.row, x.column) for x in flagged} == {
        (planted, 3, "sme_balance"),
        (planted, 3, "all_balance"),
    }
    assert "outside the expected range" in flagged[0].message

    form = {"filing": planted.pk, "row": 3, "column": "sme_balance", "state": "explained"}
    client.post(f"{url}?period={PERIOD}", form)
    assert not FigureMark.objects.exists()  # an explanation needs a note

    client.post(f"{url}?period={PERIOD}", {**form, "note": "a merger in the county"})
    mark = FigureMark.objects.get()
    assert (mark.state, mark.note) == ("explained", "a merger in the county")
    assert mark.office == matrix.p1
    assert AuditEvent.objects.filter(verb="figure.marked").exists()
    _url, page = _page(client, matrix.p1)
    marks = {x.column: x.mark for x in page.context["flagged"]}
    assert marks == {"sme_balance": mark, "all_balance": None}

    # A figure that was not flagged cannot be marked.
    client.post(f"{url}?period={PERIOD}", {**form, "row": 4, "note": "x"})
    assert FigureMark.objects.count() == 1


def test_another_provinces_office_sees_none_of_them(matrix, planted, client_for):
    _url, page = _page(client_for(matrix.users["gb_head"]), matrix.p2)
    assert page.context["flagged"] == []


def test_a_figure_marked_to_follow_up_is_drawn_into_the_next_sample(matrix, planted, client_for):
    Filing.objects.filter(pk=planted.pk).update(status=FilingStatus.ACCEPTED, is_current=True)
    flagged_row = FilingRow.objects.get(filing=planted, row=3)
    head = matrix.users["p1_head"]
    # A seed whose random draw of one row per institution leaves the flagged row out.
    seed = next(
        s
        for s in range(50)
        if flagged_row.pk not in sampling.choose({matrix.bank_a.pk: _rows(planted)}, 1, s)
    )
    client = client_for(head)
    url, _ = _page(client, matrix.p1)
    client.post(
        f"{url}?period={PERIOD}",
        {"filing": planted.pk, "row": 3, "column": "sme_balance", "state": MarkState.FOLLOW_UP},
    )
    sample = sampling.draw(head, matrix.p1, PERIOD, 1, seed=seed)
    drawn = set(sample.rows.values_list("filing_row_id", flat=True))
    assert flagged_row.pk in drawn


def _rows(filing) -> list[int]:
    return list(FilingRow.objects.filter(filing=filing).values_list("pk", flat=True))
