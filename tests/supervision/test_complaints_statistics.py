"""Complaint figures per institution and office, their page and export, and complaints as
causes for escalation."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from reporting import periods
from supervision import causes
from supervision.complaints import desk as office_desk
from supervision.complaints import services as complaints
from supervision.complaints.models import Complaint, Outcome
from supervision.complaints.statistics import (
    by_child_office,
    by_institution_under,
    for_institution,
    for_office,
)
from tests import factories as f

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")
Q1 = (date(2026, 1, 1), date(2026, 4, 1))


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _at(moment, **fields):
    with time_machine.travel(moment):
        return f.ComplaintFactory(**fields)


@pytest.fixture
def history(matrix):
    """Against bank_a in Q1 2026: one accepted at once, one answered late and reopened (and
    found substantive), one still unanswered past its deadline; one against bank_b."""
    m, march = matrix, datetime(2026, 3, 2, 10, tzinfo=BEIJING)
    quick = _at(march, branch=m.branch_a1, category="fees", due_on=date(2026, 3, 17))
    slow = _at(march, branch=m.branch_a2, category="fees", due_on=date(2026, 3, 17))
    silent = _at(march, branch=m.branch_a1, category="credit", due_on=date(2026, 3, 17))
    other = _at(march, branch=m.branch_b1, category="rates", due_on=date(2026, 3, 17))
    with time_machine.travel(datetime(2026, 3, 6, 10, tzinfo=BEIJING)):
        complaints.answer(m.users["bank_a"], quick, Outcome.RELIEF, "已退费")
        complaints.accept_answer(quick.owner, quick)
    with time_machine.travel(datetime(2026, 3, 22, 10, tzinfo=BEIJING)):
        complaints.answer(m.users["bank_a"], slow, Outcome.DECLINED, "不予退费")
        complaints.reject_answer(slow.owner, slow, "不合理")
        office_desk.assess(m.users["p1_head"], slow, True, "违规收费")
    return quick, slow, silent, other


def test_figures_per_institution(history, matrix):
    with time_machine.travel(datetime(2026, 4, 2, 10, tzinfo=BEIJING)):
        rows = {r.key: r for r in by_institution_under(matrix.gb, *Q1)}
    a = rows[matrix.bank_a.pk]
    assert (a.total, a.answered, a.answered_on_time) == (3, 2, 1)
    assert a.on_time_share == Decimal("0.500")
    assert (a.resolved_at_first_answer, a.first_answer_share) == (1, Decimal("0.500"))
    assert (a.reopened, a.substantive, a.overdue_unanswered) == (1, 1, 1)
    assert a.by_category["fees"] == 2 and a.by_category["credit"] == 1
    assert a.mean_response_days == Decimal("12.0")  # 4 and 20 days
    assert rows[matrix.bank_b.pk].total == 1
    assert for_institution(matrix.bank_b, *Q1).by_category["rates"] == 1
    # Outside the period nothing counts.
    assert for_institution(matrix.bank_a, date(2026, 4, 1), date(2026, 7, 1)).total == 0


def test_figures_per_office_subtree(history, matrix):
    assert for_office(matrix.county_a, *Q1).total == 2
    assert for_office(matrix.county_b, *Q1).total == 1
    assert for_office(matrix.p1, *Q1).total == 3
    assert for_office(matrix.gb, *Q1).total == 4


def test_figures_per_child_office_subtree(history, matrix):
    everything = Complaint.objects.all()
    national = {r.name_zh: r.total for r in by_child_office(everything, matrix.gb, *Q1)}
    assert national == {matrix.p1.name_zh: 3, matrix.p2.name_zh: 1}
    province = {r.name_zh: r.total for r in by_child_office(everything, matrix.p1, *Q1)}
    assert province == {matrix.city1.name_zh: 3}
    city = {r.key: r.total for r in by_child_office(everything, matrix.city1, *Q1)}
    assert city == {matrix.county_a.pk: 2, matrix.county_b.pk: 1}


def test_statistics_page_and_export_for_an_office(history, matrix, client_for):
    client = client_for(matrix.users["county_a"])
    page = client.get(reverse("complaint-statistics"), {"from": "2026-01-01", "to": "2026-03-31"})
    body = page.content.decode()
    assert matrix.bank_a.name_en in body and matrix.bank_b.name_en not in body
    export = client.get(
        reverse("complaint-statistics-xlsx"), {"from": "2026-01-01", "to": "2026-03-31"}
    )
    wb = load_workbook(io.BytesIO(export.content))
    rows = list(wb["按机构 By institution"].values)
    assert rows[1][1] == 2  # county_a sees the two against branch_a1
    detail = list(wb["投诉明细 Complaints"].values)
    assert len(detail) == 3
    cells = " ".join(str(v) for row in detail for v in row)
    # No owner's personal data: no enterprise, representative, phone or what they wrote.
    for c in history:
        for personal in (c.enterprise_name, c.contact_phone, c.legal_representative, c.description):
            assert personal not in cells
    province = client_for(matrix.users["p1_head"]).get(
        reverse("complaint-statistics"), {"from": "2026-01-01", "to": "2026-03-31"}
    )
    assert matrix.city1.name_zh in province.content.decode()  # its child office's subtree
    owner = client_for(matrix.users["owner_a"])
    assert owner.get(reverse("complaint-statistics")).status_code == 404


def test_export_escapes_formulas(matrix, client_for):
    matrix.bank_a.name_zh = '=HYPERLINK("http://evil","点我")'
    matrix.bank_a.save()
    f.ComplaintFactory(branch=matrix.branch_a1)
    today = timezone.localdate()
    export = client_for(matrix.users["bank_a"]).get(
        reverse("complaint-statistics-xlsx"), {"from": str(today), "to": str(today)}
    )
    wb = load_workbook(io.BytesIO(export.content))
    names = [row[0] for row in wb["按机构 By institution"].values][1:]
    assert names and all(n.startswith("'=") for n in names)
    assert list(wb["投诉明细 Complaints"].values)[1][1].startswith("'=")


def test_providers_list_current_causes(history, matrix):
    _, slow, silent, other = history
    as_of = datetime(2026, 3, 25, 10, tzinfo=BEIJING)
    overdue = causes.current("complaint-overdue", as_of)
    assert [(c.key, c.measure) for c in overdue] == [
        (f"complaint:{silent.pk}:overdue", Decimal(8)),
        (f"complaint:{other.pk}:overdue", Decimal(8)),
    ]
    assert overdue[0].institution_id == matrix.bank_a.pk
    assert overdue[0].office_id == matrix.county_a.pk
    rejected = causes.current("complaint-rejected", as_of)
    assert [c.key for c in rejected] == [f"complaint:{slow.pk}:rejected"]
    substantive = causes.current("substantive-complaints", as_of)
    assert [(c.key, c.measure) for c in substantive] == [
        (f"substantive:{matrix.bank_a.pk}:2026Q1", Decimal(1))
    ]
    assert causes.current("substantive-complaints", as_of + timedelta(days=30)) == []


def test_rejection_and_substantive_finding_send_causes_on_commit(
    matrix, django_capture_on_commit_callbacks
):
    found = []

    def receiver(sender, causes, **kwargs):
        found.extend(causes)

    causes.cause_found.connect(receiver)
    c = f.ComplaintFactory(branch=matrix.branch_a1)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            complaints.answer(matrix.users["bank_a"], c, Outcome.DECLINED, "不予处理")
            complaints.reject_answer(c.owner, c, "不满意")
            office_desk.assess(matrix.users["p1_head"], c, True, "确属违规")
    finally:
        causes.cause_found.disconnect(receiver)
    quarter = periods.quarter_of(timezone.localdate())
    assert [(x.kind, x.key) for x in found] == [
        ("complaint-rejected", f"complaint:{c.pk}:rejected"),
        ("substantive-complaints", f"substantive:{matrix.bank_a.pk}:{quarter}"),
    ]
