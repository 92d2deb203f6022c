"""What the journeys read on pages: the browser asks for Chinese (tests/browser/conftest.py),
so a test finds a button or a status by its Chinese text, taken from the catalogue."""

from django.utils import translation
from django.utils.translation import gettext

LANGUAGE = "zh-hans"


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


def zh(message: str) -> str:
    return in_language(LANGUAGE, message)


def label(choice) -> str:
    """A model choice's label as the Chinese page shows it."""
    with translation.override(LANGUAGE):
        return str(choice.label)


def sign_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=zh("Sign out"), exact=True).click()


def menu_link(page, name: str):
    """A link of the main menu, its group opened first (the menu groups pages by task, each
    group a disclosure button, portal/menu.py)."""
    link = page.get_by_role("link", name=name, exact=True, include_hidden=True)  # group shut
    group = page.locator("#mainnav .menu-group").filter(has=link)
    group.locator(".menu-group-button").click()
    return group.get_by_role("link", name=name, exact=True)
