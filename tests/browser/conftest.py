"""Playwright on the system Chromium (Debian's /usr/bin/chromium; browsers are never
downloaded), against pytest-django's live server."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's synchronous API runs an event loop in this thread, and Django refuses database
# calls from a thread with a running loop unless told it is safe (the tests are synchronous).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A user whose browser asks for Chinese, as the portal's users' do."""
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture
def sign_in(page, live_server):
    """Sign in through the login form as ``user``; returns the page, at the user's home."""

    def sign_in_as(user, password):
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/")
        assert "/accounts/login/" in page.url  # sent to sign in first
        page.fill("#id_username", user.email)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert page.url == f"{live_server.url}/", page.url
        return page

    return sign_in_as
