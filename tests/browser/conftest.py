"""Browser fixtures: one headless chromium per session, the app served over real HTTP
on a free loopback port (with the OAuth stand-in as its wiki), a fresh browser
context per visitor."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, sync_playwright

from dev.standin.server import serve_in_thread
from tests.browser.support import Visitor, launch

OpenVisitor = Callable[..., Visitor]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, for the whole session."""
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    """The app under test (the `app` fixture: test database, stand-in sign-in) on a
    real socket, served by a thread like `make run` does.

    Arabic is always offered: with its catalogue compiled (`make test` compiles them)
    the pages are in Arabic, and even without it they are right to left. The rate
    limits stay as in production (each test's app counts afresh; no test signs in
    more than a handful of times)."""
    app.config["EXTRA_LANGUAGES"] = ["ar"]
    server = serve_in_thread(app)
    yield server.base_url
    server.shutdown()


@pytest.fixture
def visitor(browser: Browser, live_url: str) -> Iterator[OpenVisitor]:
    """visitor(who="Ada Requester", javascript=False) opens a tab with its own cookies
    (signed in as `who` unless "anonymous"); all are closed after the test."""
    opened: list[Visitor] = []

    def open_visitor(who: str = "anonymous", *, javascript: bool = True) -> Visitor:
        tab = Visitor(browser, live_url, javascript=javascript)
        opened.append(tab)
        if who != "anonymous":
            tab.sign_in(who)
        return tab

    yield open_visitor
    for tab in opened:
        tab.close()
