"""The three user journeys in a real browser: sign in through the form, see one's own home
page, switch language both ways, and meet a 404 outside one's scope."""

import pytest

from portal.models import Institution, Office
from tests import factories as f
from tests.browser.chinese import in_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENGLISH = "English"
CHINESE = "简体中文"


def switch_language(page, label: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=label, exact=True).click()


def assert_home(page, *, language: str, heading: str, shows: list[str], hides: list[str]):
    html_lang = {"zh-hans": "zh-Hans", "en": "en"}[language]
    assert page.locator("html").get_attribute("lang") == html_lang
    assert page.get_by_test_id("home-title").inner_text() == in_language(language, heading)
    current = page.locator(".langswitch button[aria-current=true]")
    assert current.inner_text() == {"zh-hans": CHINESE, "en": ENGLISH}[language]
    body = page.locator("main").inner_text()
    for text in shows:
        assert text in body, (text, language)
    for text in hides:
        assert text not in body, (text, language)


@pytest.fixture
def named_matrix(matrix):
    """The matrix, with English names that differ from the Chinese ones."""
    Office.objects.filter(pk=matrix.p1.pk).update(name_en="Matrix Province One Bureau")
    Institution.objects.filter(pk=matrix.bank_a.pk).update(name_en="Matrix Bank A")
    return matrix


JOURNEYS = {
    # role: (user, heading, Chinese texts, English texts)
    "regulator head": ("p1_head", "Regulator home", ["矩阵甲省局"], ["Matrix Province One Bureau"]),
    "bank officer": ("bank_a", "Bank officer home", ["矩阵甲银行"], ["Matrix Bank A"]),
    "SME owner": ("owner_a", "Enterprise owner home", [], []),
}


@pytest.mark.parametrize("journey", list(JOURNEYS))
def test_each_role_signs_in_and_sees_its_home_in_both_languages(sign_in, named_matrix, journey):
    user_key, heading, chinese, english = JOURNEYS[journey]
    user = named_matrix.users[user_key]
    page = sign_in(user, f.PASSWORD)
    assert page.get_by_test_id("who").inner_text() == user.email

    assert_home(page, language="zh-hans", heading=heading, shows=chinese, hides=english)
    switch_language(page, ENGLISH)
    assert_home(page, language="en", heading=heading, shows=english, hides=chinese)
    page.reload()  # the choice sticks
    assert_home(page, language="en", heading=heading, shows=english, hides=chinese)
    switch_language(page, CHINESE)
    assert_home(page, language="zh-hans", heading=heading, shows=chinese, hides=english)


def test_a_bank_officer_typing_another_banks_address_gets_404(sign_in, live_server, matrix):
    page = sign_in(matrix.users["bank_a"], f.PASSWORD)
    own = page.goto(f"{live_server.url}/institutions/{matrix.bank_a.pk}/")
    assert own.status == 200
    assert matrix.bank_a.name_zh in page.locator("main").inner_text()

    other = page.goto(f"{live_server.url}/institutions/{matrix.bank_b.pk}/")
    assert other.status == 404
    assert page.locator("main h1").inner_text() == in_language("zh-hans", "Not found")
    assert matrix.bank_b.name_zh not in page.content()
