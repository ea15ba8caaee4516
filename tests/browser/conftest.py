"""Headless Debian Chromium driven by Playwright (no browser download: executable_path)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageWatch:
    """Everything a page asked for and complained about while a test drove it."""

    def __init__(self, page) -> None:  # noqa: ANN001
        self.page = page
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        page.on("request", lambda req: self.requests.append(req.url))
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))

    def _console(self, msg) -> None:  # noqa: ANN001
        """Keep console errors with the address they came from (a failed load names none)."""
        if msg.type == "error":
            self.console_errors.append(f"{msg.text} [{msg.location.get('url', '')}]")

    def foreign_hosts(self) -> set[str]:
        hosts = {urlparse(url).hostname for url in self.requests if not url.startswith("data:")}
        return {h for h in hosts if h not in ("127.0.0.1", None)}


@pytest.fixture
def watched_page(browser) -> Iterator[PageWatch]:  # noqa: ANN001
    """A page of an anonymous visitor."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    watch = PageWatch(page)
    yield watch
    context.close()


@pytest.fixture
def admin_page(browser, live_server, admin_headers) -> Iterator[PageWatch]:  # noqa: ANN001
    """A page of the test admin, signed in on ``live_server`` with their password (a session
    cookie, as a person's browser has: posts carry the CSRF token)."""
    from tests.conftest import TEST_ADMIN, TEST_ADMIN_PASSWORD

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server}/login")
    csrf = next(c["value"] for c in context.cookies() if c["name"] == "zonemap_csrf")
    form = {"name": TEST_ADMIN, "password": TEST_ADMIN_PASSWORD, "csrf_token": csrf}
    assert context.request.post(f"{live_server}/login", form=form).ok
    watch = PageWatch(page)
    yield watch
    context.close()
