"""Attacks 11, 13 and 14 of issue 23 on what the portal serves: the dashboard's tree-map and
province-map tooltips escape office names; sensitive pages and files are never stored by a
browser or proxy; the API schema and docs are for signed-in users; filing downloads carry the
content type of what the file is, not of the name it was uploaded under."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from reporting.models import Filing
from reporting.workbooks import XLSX_CONTENT_TYPE
from tests import factories as f
from tests.isolation import OBJECT_URLS
from tests.reporting.returns import loan_row
from tests.supervision.test_dashboards_charts import PERIOD, charts

pytestmark = pytest.mark.django_db

SENSITIVE = [
    "complaint-detail",
    "complaint-attachment",
    "escalation-evidence",
    "evaluation-evidence",
    "filing-detail",
    "filing-file",
]


@pytest.mark.parametrize("name", SENSITIVE)
def test_sensitive_pages_and_files_are_not_stored_by_browsers_or_proxies(name, matrix, client):
    case = OBJECT_URLS[name][0]
    client.force_login(matrix.users[case.insider])
    response = client.get(reverse(name, kwargs=case.kwargs(matrix)))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def _filing_response(matrix, client):
    case = OBJECT_URLS["filing-file"][0]
    kwargs = case.kwargs(matrix)
    client.force_login(matrix.users[case.insider])
    return Filing.objects.get(pk=kwargs["pk"]), reverse("filing-file", kwargs=kwargs)


def test_a_filing_download_takes_its_content_type_from_the_content(matrix, client):
    filing, url = _filing_response(matrix, client)
    Filing.objects.filter(pk=filing.pk).update(original_name="report.html")
    response = client.get(url)
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_file_that_is_not_a_workbook_downloads_as_plain_bytes(matrix, client):
    filing, url = _filing_response(matrix, client)
    Path(filing.file.path).write_bytes(b"<html><script>alert(1)</script></html>")
    Filing.objects.filter(pk=filing.pk).update(original_name="report.html")
    response = client.get(url)
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_the_api_schema_and_docs_are_for_signed_in_users(matrix, client):
    assert client.get(reverse("api:schema")).status_code in {401, 403}
    for name in ("api:docs", "api:redoc"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("login") in response.url
    client.force_login(matrix.users["bank_a"])
    assert client.get(reverse("api:schema")).status_code == 200
    assert client.get(reverse("api:docs")).status_code == 200


MARKUP = '<img src=x onerror="alert(1)"><b>Evil</b>'

# Runs static/dashboards/charts.js with a stand-in for the page and ECharts, and prints what the
# tree map's tooltip makes of the first office.
HARNESS = """
const fs = require("fs");
const spec = JSON.parse(fs.readFileSync(0, "utf8"));
let ready, option;
global.window = { addEventListener() {}, location: {} };
global.echarts = {
  init: () => ({ setOption: (o) => { option = o; }, on() {}, resize() {} }),
  getMap: () => ({}),  // the map of China is taken as loaded
};
const node = () => ({ setAttribute() {}, appendChild() {} });
const element = {
  getAttribute: () => "chart-offices",
  parentNode: { insertBefore() {} },  // the map's legend goes beside it
};
global.document = {
  documentElement: { lang: "en" },
  createElement: node,
  addEventListener: (_event, callback) => { ready = callback; },
  querySelectorAll: () => [element],
  getElementById: () => ({ textContent: JSON.stringify(spec) }),
};
eval(fs.readFileSync(process.argv[1], "utf8"));
ready();
const top = option.series[0].data[0];
process.stdout.write(option.tooltip.formatter({ name: top.name, value: top.value, data: top }));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the chart code")
@pytest.mark.parametrize(
    ("page_of", "named", "chart"),
    [("gb", "p1", "chart-provinces"), ("p1", "city1", "chart-offices")],
    ids=["province map", "tree map"],
)
def test_the_office_maps_tooltips_escape_office_names(matrix, client_for, page_of, named, chart):
    office = getattr(matrix, named)
    office.name_en = MARKUP
    office.save(update_fields=["name_en"])
    f.accepted_loans(matrix.bank_a, [loan_row(matrix.county_a.code, sme_balance=1234.5)])
    page = client_for(matrix.users["gb_head"]).get(
        reverse("dashboard", kwargs={"code": getattr(matrix, page_of).code}), {"period": PERIOD}
    )
    spec = charts(page)[chart]
    spec["series"][0]["data"].sort(key=lambda node: node["name"] != MARKUP)
    script = Path(settings.BASE_DIR) / "static" / "dashboards" / "charts.js"
    tooltip = subprocess.run(
        ["node", "-e", HARNESS, str(script)],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "&lt;img" in tooltip and "&lt;b&gt;Evil&lt;/b&gt;" in tooltip
    assert "<img" not in tooltip and "<b>" not in tooltip
