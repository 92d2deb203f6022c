"""The insurance view: an office's subtree's accepted SME-INSURANCE returns by product line,
insurer and child office, with the days to pay claims weighted by the claims, the
foreign-trade SMEs covered by export credit insurance, and "not reported under this version"
for what an earlier version did not carry."""

from decimal import Decimal

import pytest
from django.urls import reverse

from portal.models import InstitutionKind
from tests import factories as f

pytestmark = pytest.mark.django_db

PERIOD = "2025Q3"
SPEC = "SME-INSURANCE"


def line(product_line: str, **changes) -> dict:
    row = {
        "product_line": product_line,
        "policies": 100,
        "premiums": 50,
        "sum_insured": 2000,
        "claims_paid": 20,
        "claims": 10,
        "settle_days": 8,
        "individual_policies": 30,
        "individual_premiums": 15,
        "enterprises": 80,
    }
    row.update(changes)
    return row


@pytest.fixture
def insurers(matrix):
    """One insurer in p1's city on the revised version, one in p2 on the 2025 version."""
    m = matrix
    revised = f.InstitutionFactory(kind=InstitutionKind.INSURER, office=m.city1, name_en="Ins A")
    rows = [
        line("export_credit", enterprises=12, claims=30, settle_days=4),
        line("property"),
        line("intellectual_property", premiums=5),
    ]
    f.accepted_loans(revised, rows, PERIOD, spec_code=SPEC, version="2025.2")
    old = f.InstitutionFactory(kind=InstitutionKind.INSURER, office=m.p2, name_en="Ins B")
    f.accepted_loans(old, [line("property", policies=7)], PERIOD, spec_code=SPEC, version="2025")
    return revised, old


def _page(client, office):
    url = reverse("dashboard-insurance", kwargs={"code": office.code})
    page = client.get(url, {"period": PERIOD})
    assert page.status_code == 200
    return page.context["found"], page.content.decode()


def test_a_province_sees_its_insurers_figures_by_line_insurer_and_office(
    matrix, insurers, client_for
):
    revised, _old = insurers
    found, body = _page(client_for(matrix.users["p1_head"]), matrix.p1)
    assert found.filings == 1
    assert found.total.get("policies") == 300
    assert found.total.get("premiums") == Decimal(105)
    # Days to pay, weighted by the claims paid: (4 x 30 + 8 x 10 + 8 x 10) / 50.
    assert found.total.settle_days == Decimal("5.60")
    lines = {choice.value: totals for choice, totals in found.lines}
    assert len(lines) == 14  # the complete list, including the four lines added in 2025.2
    assert lines["intellectual_property"].get("premiums") == Decimal(5)
    assert lines["group_life"].sums == {}  # carried by the version, not filed
    assert found.export_credit.get("enterprises") == 12
    assert [insurer for insurer, _t in found.insurers] == [revised]
    assert [(u.office, u.directly) for u in found.units] == [(matrix.city1, False)]
    assert reverse("dashboard-insurance", kwargs={"code": matrix.city1.code}) in body
    assert 'data-testid="chart-columns"' in body


def test_an_earlier_versions_figures_read_not_reported(matrix, insurers, client_for):
    client = client_for(matrix.users["gb_head"])
    client.cookies["django_language"] = "en"
    found, body = _page(client, matrix.p2)
    lines = {choice.value: totals for choice, totals in found.lines}
    assert lines["intellectual_property"] is None
    assert lines["property"].get("policies") == 7
    assert found.total.get("enterprises") is None
    export = body.split('data-testid="export-credit"', 1)[1].split("</p>", 1)[0]
    assert "not reported under this version" in export

    found, _body = _page(client, matrix.gb)
    assert found.total.get("policies") == 307
    assert found.total.get("enterprises") == 80 + 12 + 80


def test_an_office_outside_the_subtree_is_a_404(matrix, insurers, client_for):
    url = reverse("dashboard-insurance", kwargs={"code": matrix.p1.code})
    assert client_for(matrix.users["p2_head"]).get(url).status_code == 404
