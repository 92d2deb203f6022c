"""What a user notices of every page's frame, in a real browser: no page scrolls sideways on a
phone (390 and 320 px wide, WCAG 1.4.10), the menu folds into one button there, the skip link
takes the keyboard to the main content, and a form sent empty comes back with its error summary
focused, each line taking the cursor to its field. Screenshots go to test-results/."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.chinese import zh

pytestmark = [pytest.mark.browser]

WIDTHS = (1280, 390, 320)
SHOTS = Path("test-results")
ROLES = ("p1_head", "county_a", "bank_a", "branch_a1", "owner_a")


def _too_wide(page) -> int:
    """How many pixels the document is wider than the window (0 when it fits)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def _main_pages(page, live_server, matrix) -> list[str]:
    """The role's menu entries, and a detail page of its own where it has one."""
    links = page.eval_on_selector_all(
        "#mainnav a", "links => links.map(a => a.getAttribute('href'))"
    )
    extra = [f"/returns/requests/{matrix.request_a.pk}/", f"/returns/filings/{matrix.filing_a.pk}/"]
    # The API documentation is Swagger UI's own page, not the portal's layout.
    return [p for p in dict.fromkeys([*links, *extra]) if not p.startswith("/api/")]


@pytest.mark.parametrize("user_key", ROLES)
def test_no_main_page_scrolls_sideways_on_a_phone(
    transactional_db, matrix, sign_in, live_server, user_key
):
    matrix.build_parts()
    page = sign_in(matrix.users[user_key], f.PASSWORD)
    paths = _main_pages(page, live_server, matrix)
    wide = {}
    for path in paths:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            response = page.goto(f"{live_server.url}{path}")
            if response.status == 404:  # another filer's detail page
                break
            page.wait_for_load_state("load")
            if (over := _too_wide(page)) > 0:
                wide[(path, width)] = over
    assert not wide, f"pages wider than the window (path, width): extra pixels {wide}"


def test_on_a_phone_the_menu_is_one_button_that_opens_it(transactional_db, matrix, sign_in):
    page = sign_in(matrix.users["p1_head"], f.PASSWORD)
    page.set_viewport_size({"width": 390, "height": 800})
    menu_button = page.get_by_role("button", name=zh("Menu"))
    expect(menu_button).to_be_visible()
    expect(page.locator("#mainnav")).to_be_hidden()
    menu_button.click()
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    returns = page.locator("#mainnav .menu-group-button").first
    returns.click()
    review = page.get_by_role("link", name=zh("Review queue"))
    expect(review).to_be_visible()
    with page.expect_navigation():
        review.click()
    current = page.locator("#mainnav a[aria-current=page]")
    expect(current).to_have_attribute("href", "/returns/review/")
    page.screenshot(path=SHOTS / "pages-review-queue-390-zh.png", full_page=True)


def test_on_a_wide_screen_a_group_opens_and_escape_closes_it(transactional_db, matrix, sign_in):
    page = sign_in(matrix.users["p1_head"], f.PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.get_by_role("button", name=zh("Menu"))).to_be_hidden()
    group = page.locator("#mainnav .menu-group-button").nth(1)
    group.click()
    expect(group).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#mainnav").get_by_role("link", name=zh("Offices"))).to_be_visible()
    page.keyboard.press("Escape")
    expect(group).to_have_attribute("aria-expanded", "false")
    expect(group).to_be_focused()


def test_the_first_tab_reaches_the_skip_link_which_takes_focus_to_the_main_content(
    transactional_db, matrix, sign_in
):
    page = sign_in(matrix.users["bank_a"], f.PASSWORD)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=zh("Skip to main content"))
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_a_form_sent_empty_comes_back_with_its_error_summary_focused(
    transactional_db, matrix, sign_in, live_server
):
    page = sign_in(matrix.users["owner_a"], f.PASSWORD)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/complaints/new/")
        with page.expect_navigation():
            page.get_by_role("button", name=zh("Send the complaint")).click()
        summary = page.get_by_test_id("error-summary")
        expect(summary).to_be_focused()
        assert _too_wide(page) <= 0
        page.screenshot(path=SHOTS / f"pages-complaint-errors-{width}-zh.png", full_page=True)
    first = summary.locator("a").first
    target = first.get_attribute("href").removeprefix("#")
    first.click()
    expect(page.locator(f"#{target}")).to_be_focused()


def test_the_sign_in_form_sent_empty_says_so_at_its_top(live_server, page, transactional_db):
    page.goto(f"{live_server.url}/accounts/login/")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    summary.locator("a").first.click()
    expect(page.locator("#id_username")).to_be_focused()


def test_two_minutes_before_the_session_ends_a_warning_offers_to_stay_signed_in(
    transactional_db, matrix, sign_in, settings
):
    # A session of 123 seconds: the warning comes three seconds after the page.
    settings.SESSION_COOKIE_AGE = 123
    page = sign_in(matrix.users["bank_a"], f.PASSWORD)
    page.reload()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible(timeout=15_000)
    expect(dialog).to_be_focused()
    settings.SESSION_COOKIE_AGE = 3600
    dialog.get_by_role("button", name=zh("Stay signed in")).click()
    expect(dialog).to_be_hidden()
    page.reload()
    seconds = int(page.locator("#session-warning").get_attribute("data-seconds"))
    assert seconds > 3000


SCREENSHOTS = {
    # name: (user, path of the page)
    "regulator-home": ("p1_head", lambda m: "/"),
    "filing-report": ("bank_a", lambda m: f"/returns/filings/{m.filing_a.pk}/"),
    "dashboard": ("p1_head", lambda m: "/dashboards/"),
    "complaint-form": ("owner_a", lambda m: "/complaints/new/"),
}


@pytest.mark.parametrize("name", list(SCREENSHOTS))
def test_screenshots_of_the_main_pages_in_both_languages(
    transactional_db, matrix, sign_in, live_server, name
):
    user_key, path = SCREENSHOTS[name]
    page = sign_in(matrix.users[user_key], f.PASSWORD)
    for language, button in (("zh", "简体中文"), ("en", "English")):
        if language == "en":
            with page.expect_navigation():
                page.get_by_role("button", name=button, exact=True).click()
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server.url}{path(matrix)}")
            page.wait_for_load_state("load")
            assert _too_wide(page) <= 0, (name, language, width)
            page.screenshot(path=SHOTS / f"pages-{name}-{width}-{language}.png", full_page=True)


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = "{runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}"


def _violations(page) -> list:
    # Evaluated through the browser's debugging protocol, which the page's CSP does not govern
    # (an injected <script> would be refused, as it should be).
    page.evaluate(AXE.read_text())
    return page.evaluate(
        f"axe.run(document, {WCAG_AA}).then(r => r.violations.map("
        "v => [v.id, v.nodes.slice(0, 3).map(n => n.target.join(' '))]))"
    )


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is installed by npm ci (make setup)")
@pytest.mark.parametrize("user_key", ["p1_head", "bank_a", "owner_a"])
def test_axe_finds_no_violation_on_any_menu_page_in_either_language(
    transactional_db, matrix, sign_in, live_server, user_key
):
    page = sign_in(matrix.users[user_key], f.PASSWORD)
    paths = [*_main_pages(page, live_server, matrix), "/help/glossary/"]
    found = {}
    for button in ("简体中文", "English"):
        with page.expect_navigation():
            page.get_by_role("button", name=button, exact=True).click()
        for path in paths:
            if page.goto(f"{live_server.url}{path}").status == 404:
                continue
            if violations := _violations(page):
                found[(button, path)] = violations
    assert not found, found


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is installed by npm ci (make setup)")
def test_axe_finds_no_violation_on_a_form_with_errors(
    transactional_db, matrix, sign_in, live_server
):
    page = sign_in(matrix.users["owner_a"], f.PASSWORD)
    page.goto(f"{live_server.url}/complaints/new/")
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Send the complaint")).click()
    assert _violations(page) == []
