"""The dashboard in a real browser: a head of the General Bureau opens the national dashboard
(its provinces on a map of China), drills down to a province (its offices in a tree map), reads
both in Chinese and in English; every chart draws its data from the portal's own ECharts, no
request leaves the host and the strict CSP reports nothing. Screenshots of each level and
language go to test-results/dashboards/."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from portal.models import Office
from tests import factories as f
from tests.browser.chinese import in_language
from tests.reporting.returns import loan_row
from tests.supervision.test_dashboards_insurance import insurers  # noqa: F401 (a fixture)
from tests.supervision.test_quality_flagged import planted  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-results" / "dashboards"
QUARTERS = ("2025Q1", "2025Q2", "2025Q3")

# For each chart: its kind, whether a canvas was drawn with something on it, and how many data
# points its series hold.
CHARTS_DRAWN = """() => Array.from(document.querySelectorAll('[data-chart]')).map(el => {
  const chart = echarts.getInstanceByDom(el);
  const canvas = el.querySelector('canvas');
  let inked = false;
  if (canvas) {
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) { inked = true; break; } }
  }
  const points = chart ? chart.getOption().series.reduce((n, s) => n + (s.data || []).filter(
    v => v !== null && v !== undefined).length, 0) : 0;
  return [el.dataset.chart, inked, points];
})"""


@pytest.fixture
def lending(matrix):
    """Accepted returns of both banks over three quarters, growing, with English names."""
    m = matrix
    Office.objects.filter(pk=m.p1.pk).update(name_en="Matrix Province One Bureau")
    for step, period in enumerate(QUARTERS):
        grow = 1 + step / 10
        f.accepted_loans(
            m.bank_a,
            [
                loan_row(m.county_a.code, sme_balance=1000 * grow),
                loan_row(m.county_b.code, sme_balance=1500 * grow, borrowers=90),
            ],
            period=period,
        )
        f.accepted_loans(m.bank_b, [loan_row(m.county_c.code, sme_balance=800 * grow)], period)
    return m


def assert_charts_drew(page, offices: str = "offices") -> None:
    """Every chart drew its data; ``offices`` is the child offices' chart: the map of China's
    provinces at the General Bureau, the tree map below."""
    page.wait_for_function("() => typeof echarts === 'object'")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('[data-chart]'))"
        ".every(el => echarts.getInstanceByDom(el))"
    )
    drawn = page.evaluate(CHARTS_DRAWN)
    assert {kind for kind, _, _ in drawn} >= {"targets", offices, "ranking", "trend"}, drawn
    for kind, inked, points in drawn:
        assert inked and points > 0, (kind, inked, points)


# The map of China's regions (the provinces of the portal's own copy of the boundary file, named
# by division code), and the provinces coloured with the offices' figures.
PROVINCES_DRAWN = """() => {
  const el = document.querySelector('[data-chart=provinces]');
  const data = echarts.getInstanceByDom(el).getOption().series[0].data;
  return {
    regions: echarts.getMap('china').geoJSON.features.length,
    coloured: data.filter(d => d.value).map(d => d.name),
  };
}"""


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_a_head_reads_the_dashboard_at_two_levels_in_both_languages(sign_in, lending, live_server):
    m = lending
    page = sign_in(m.users["gb_head"], f.PASSWORD)
    requested, console_errors = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(str(error)))

    # The national dashboard, in Chinese as the browser asks.
    page.goto(f"{live_server.url}/dashboards/{m.gb.code}/?period=2025Q3")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.get_by_test_id("dashboard-title").inner_text() == m.gb.name_zh
    assert_charts_drew(page, "provinces")
    # The provinces on the map of China, by division code, its legend beside it.
    china = page.evaluate(PROVINCES_DRAWN)
    assert china["regions"] >= 34 and set(china["coloured"]) == {m.p1.code, m.p2.code}, china
    expect(page.get_by_test_id("map-legend")).to_be_visible()
    shoot(page, "general-bureau-zh")

    # Down to the province through the table beside the office chart.
    with page.expect_navigation():
        page.locator("[data-testid=panel-units] table").get_by_role(
            "link", name=m.p1.name_zh
        ).click()
    assert page.get_by_test_id("dashboard-title").inner_text() == m.p1.name_zh
    assert m.gb.name_zh in page.get_by_test_id("breadcrumbs").inner_text()
    assert_charts_drew(page)
    shoot(page, "province-zh")

    # The same page in English, then the national one.
    with page.expect_navigation():
        page.get_by_role("button", name="English", exact=True).click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_test_id("dashboard-title").inner_text() == "Matrix Province One Bureau"
    headline = page.get_by_test_id("panel-headline").inner_text()
    assert in_language("en", "Inclusive SME loan balance") in headline
    assert_charts_drew(page)
    shoot(page, "province-en")
    page.goto(f"{live_server.url}/dashboards/{m.gb.code}/?period=2025Q3")
    assert_charts_drew(page, "provinces")
    shoot(page, "general-bureau-en")

    # Everything came from the portal itself, under its CSP.
    assert requested
    outside = [url for url in requested if not url.startswith(live_server.url)]
    assert outside == []
    assert console_errors == []


# Every section of an office's dashboard, by URL name, at the General Bureau and a province.
SECTIONS = (
    "dashboard",
    "dashboard-insurance",
    "completeness",
    "status-board",
    "dashboard-exports",
    "quality-flagged",
)


@pytest.mark.usefixtures("planted", "insurers")
def test_no_dashboard_section_scrolls_sideways_on_a_phone_in_either_language(
    lending, sign_in, live_server
):
    """With figures in every section: lending, an insurer's return and a flagged figure."""
    m = lending
    page = sign_in(m.users["gb_head"], f.PASSWORD)
    wide = {}
    for language, button in (("en", "English"), ("zh", "简体中文")):
        with page.expect_navigation():
            page.get_by_role("button", name=button, exact=True).click()
        for office in (m.gb, m.p1):
            for name in SECTIONS:
                path = reverse(name, kwargs={"code": office.code}) + "?period=2025Q3"
                for width in (1280, 390, 320):
                    page.set_viewport_size({"width": width, "height": 900})
                    page.goto(f"{live_server.url}{path}")
                    over = page.evaluate("document.scrollingElement.scrollWidth - innerWidth")
                    if over > 0:
                        wide[(language, path, width)] = over
                if office == m.p1:
                    shoot(page, f"{name}-province-320-{language}")
    assert not wide, f"sections wider than the window: extra pixels {wide}"
