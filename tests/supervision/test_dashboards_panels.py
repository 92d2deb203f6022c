"""The panels the other parts feed: evaluation grades and complaints of the quarter of an
office's subtree, each with its chart and table, computed by their own services; and the
escalation part's own panel beside them."""

import pytest
from django.urls import reverse

from supervision.complaints.models import Complaint
from supervision.escalation import raising
from supervision.evaluation.models import Evaluation
from tests import factories as f

pytestmark = pytest.mark.django_db

PERIOD = "2025Q3"


@pytest.fixture
def activity(matrix, time_machine):
    """Three complaints filed in August 2025 under p1 (two in county_a, one in county_b),
    bank_a's evaluation for the quarter and a case against it; the matrix's own complaints
    are filed later."""
    time_machine.move_to("2025-08-10 10:00 +0800")
    m = matrix
    f.ComplaintFactory(branch=m.branch_a1, category="rates")
    f.ComplaintFactory(branch=m.branch_a1, category="fees", substantive=True)
    f.ComplaintFactory(branch=m.branch_a2)
    f.scored_evaluation(m.bank_a, "2025")
    assert raising.escalation_raise(f.cause(m.bank_a)) is not None
    return m


def panels(client, code: str, **filer) -> dict:
    if filer:
        url = reverse("dashboard-institution", kwargs={"code": code, **filer})
    else:
        url = reverse("dashboard", kwargs={"code": code})
    page = client.get(url, {"period": PERIOD})
    assert page.status_code == 200
    return {panel.key: data for panel, data in page.context["panels"]}


def test_an_office_sees_its_subtrees_grades_complaints_and_cases(activity, client_for):
    m = activity
    client = client_for(m.users["p1_head"])
    found = panels(client, m.p1.code)
    assert found["complaints"]["found"].total == 3
    by_category = dict(found["complaints"]["categories"])
    assert by_category["Interest rates"] == 1 and by_category["Fees and charges"] == 2
    assert found["complaints"]["found"].substantive == 1
    # The quarter's page shows the grades of the latest year evaluated: 2025.
    graded = Evaluation.objects.filter(
        period="2025", institution__office__path__startswith=m.p1.path, grade__isnull=False
    )
    assert sum(n for _, n in found["grades"]["rows"]) == graded.count() == 1
    # Escalation adds its own panel of the subtree's cases.
    assert "escalation" in found
    body = client.get(reverse("dashboard", kwargs={"code": m.p1.code}), {"period": PERIOD})
    for chart in ("chart-grades", "chart-complaints"):
        assert f'data-source="{chart}"' in body.content.decode()


def test_a_county_counts_only_its_own(activity, client_for):
    m = activity
    found = panels(client_for(m.users["county_b"]), m.county_b.code)
    assert found["complaints"]["found"].total == 1
    assert Complaint.objects.filter(office=m.county_b).count() >= 1
    # bank_a's head office is the province's, not county_b's: no grades there.
    assert "grades" not in found


def test_an_institutions_page_has_none_of_them(activity, client_for):
    m = activity
    found = panels(client_for(m.users["p1_head"]), m.p1.code, pk=m.bank_a.pk)
    assert not {"grades", "complaints"} & set(found)
