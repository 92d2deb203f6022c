"""Every dashboard chart names its axes in the reader's language (charts.js draws the names)."""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.reporting.returns import loan_row
from tests.supervision.test_dashboards_charts import PERIOD, charts

pytestmark = pytest.mark.django_db


def test_every_chart_names_its_axes_in_chinese(matrix, client_for):
    f.accepted_loans(matrix.bank_a, [loan_row(matrix.county_a.code, sme_balance=1234.5)])
    f.accepted_loans(matrix.bank_b, [loan_row(matrix.county_c.code, sme_balance=800)])
    client = client_for(matrix.users["gb_head"])
    page = client.get(
        reverse("dashboard", kwargs={"code": matrix.gb.code}),
        {"period": PERIOD},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    drawn = charts(page)
    assert drawn
    for name, spec in drawn.items():
        if spec["kind"] in ("offices", "provinces"):
            assert spec["legend"], name  # the map has a legend instead of axes
            continue
        axes = spec["axes"]
        names = [axes["x"], *(axes["y"] if isinstance(axes["y"], list) else [axes["y"]])]
        assert all(names), (name, axes)
    assert drawn["chart-targets"]["axes"] == {"x": "机构数", "y": "监管要求"}


def test_chinese_figures_are_grouped_by_thousands(matrix, client_for):
    f.accepted_loans(matrix.bank_a, [loan_row(matrix.county_a.code, sme_balance=318181.64)])
    client = client_for(matrix.users["gb_head"])
    page = client.get(
        reverse("dashboard", kwargs={"code": matrix.gb.code}),
        {"period": PERIOD},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "318,181.64" in page.content.decode()
