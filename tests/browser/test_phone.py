"""Issue #16, journey 9: the helpdesk on a 390×844 phone. A first-time visitor, a
requester, a committee member and the helpdesk each go through their pages: the header
(the title and a "Menu" button) takes at most a fifth of the screen, nothing scrolls
sideways, wide tables read as cards, the menu opens (also without JavaScript) and
leads on. axe-core audits every page at this size, in English and Arabic."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import ViewportSize, expect
from sqlalchemy import select

from app.cases.models import Case
from app.core.db import get_session
from dev.demo import load_demo_data
from tests.browser.conftest import OpenVisitor
from tests.browser.support import Visitor

PHONE: ViewportSize = {"width": 390, "height": 844}
MOST_OF_THE_SCREEN_FOR_THE_HEADER = 0.2

_MEASURE = """() => ({
  header: document.querySelector('header.site-header').getBoundingClientRect().height,
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
})"""


@pytest.fixture
def demo(app: Flask) -> dict[str, str]:
    """The demo data; the reference of the newest case in each state."""
    with app.app_context():
        db = get_session()
        assert load_demo_data(db)
        return dict(db.execute(select(Case.state, Case.reference).order_by(Case.id.desc()))
                    .tuples().all())


def on_a_phone(visitor: OpenVisitor, who: str = "anonymous", *,
               javascript: bool = True) -> Visitor:
    """A tab signed in as `who` (on a desktop-sized window, as sign-in checks the
    header), then turned into a phone."""
    tab = visitor(who, javascript=javascript)
    tab.page.set_viewport_size(PHONE)
    return tab


def check_fits(tab: Visitor, path: str) -> dict[str, Any]:
    """Open `path`: a compact header, no sideways scrolling, and axe is happy."""
    tab.goto(path)
    sizes: dict[str, Any] = tab.page.evaluate(_MEASURE)
    where = f"{path} for {tab.who}"
    assert sizes["header"] <= MOST_OF_THE_SCREEN_FOR_THE_HEADER * PHONE["height"], (where, sizes)
    assert sizes["scrollWidth"] <= sizes["innerWidth"], (where, sizes)
    expect(tab.page.get_by_role("navigation", name="Main")).to_be_hidden()
    tab.audit(f"{where} on a phone")
    return sizes


def open_menu(tab: Visitor) -> None:
    tab.page.locator("header summary").click()
    expect(tab.page.get_by_role("navigation", name="Main")).to_be_visible()


def test_everyone_finds_their_work_on_a_phone(visitor: OpenVisitor,
                                              demo: dict[str, str]) -> None:
    # A first-time visitor: the home page, then the public cases through the menu.
    anyone = on_a_phone(visitor)
    for language in ("en", "ar"):
        check_fits(anyone, f"/?uselang={language}")
    anyone.goto("/?uselang=en")
    open_menu(anyone)
    expect(anyone.page.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
    with anyone.page.expect_navigation():
        anyone.page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Public cases").click()
    check_fits(anyone, anyone.path)
    # The public list reads as cards: each value under its column's name.
    first = anyone.page.locator("main table tbody tr").first
    expect(first.locator('td[data-label="Organisation"]')).to_be_visible()
    label = first.locator('td[data-label="Organisation"]').evaluate(
        "cell => getComputedStyle(cell, '::before').content")
    assert label == '"Organisation"', label
    for path in ("/stats", "/groups", "/cases?uselang=ar"):
        check_fits(anyone, path)

    # A requester files a request; the form fits, in both languages.
    ada = on_a_phone(visitor, "Ada Requester")
    for language in ("en", "ar"):
        check_fits(ada, f"/requests/new?uselang={language}")
    check_fits(ada, "/requests/mine?uselang=en")
    # A value of text and elements stays beside its name on a card ("Helpdesk,
    # Communication": the working group's name is an element of its own).
    check_fits(ada, "/people")
    roles = ada.page.locator("main table tbody tr", has_text="Sven Helpdesk").locator(
        'td[data-label="Roles"]')
    expect(roles).to_contain_text("Communication")
    beside = roles.evaluate("""cell => {
      const value = cell.querySelector('.cell-value').getBoundingClientRect();
      const name = cell.getBoundingClientRect();
      return value.left > name.left + name.width / 4
        && [...cell.querySelectorAll('bdi')].every(
          part => part.getBoundingClientRect().left >= value.left - 1);
    }""")
    assert beside, "the roles value is not laid out beside its name"

    # A committee member: the dashboard and the case waiting for a review.
    ngozi = on_a_phone(visitor, "Ngozi Committee")
    check_fits(ngozi, "/dashboard")
    case = f"/requests/{demo['in_initial_review']}"
    check_fits(ngozi, case)
    check_fits(ngozi, f"{case}?uselang=ar")
    ngozi.goto(f"{case}?uselang=en")
    open_menu(ngozi)
    menu = ngozi.page.locator("header details.site-menu")
    expect(menu.get_by_text("Signed in as Ngozi Committee")).to_be_visible()
    # Escape closes the menu and gives the focus back to its button (site.js).
    ngozi.page.get_by_role("link", name="Committee dashboard").focus()
    ngozi.page.keyboard.press("Escape")
    expect(ngozi.page.get_by_role("navigation", name="Main")).to_be_hidden()
    assert ngozi.page.evaluate("() => document.activeElement.tagName") == "SUMMARY"

    # The helpdesk: the inbox and a case in support.
    sven = on_a_phone(visitor, "Sven Helpdesk")
    check_fits(sven, "/inbox")
    check_fits(sven, f"/requests/{demo['in_support']}")


def test_the_menu_opens_without_javascript(visitor: OpenVisitor, demo: dict[str, str]) -> None:
    ada = on_a_phone(visitor, "Ada Requester", javascript=False)
    check_fits(ada, "/")
    open_menu(ada)
    with ada.page.expect_navigation():
        ada.page.get_by_role("link", name="My requests").click()
    check_fits(ada, ada.path)
    expect(ada.page.locator("h1")).to_have_text("My requests")


def test_on_a_wide_screen_the_menu_is_always_there(visitor: OpenVisitor) -> None:
    for javascript in (True, False):
        tab = visitor(javascript=javascript)
        tab.goto("/")
        expect(tab.page.locator("header summary")).to_be_hidden()
        nav = tab.page.get_by_role("navigation", name="Main")
        expect(nav).to_be_visible()
        expect(nav.get_by_role("link", name="Statistics")).to_be_visible()
        sizes = tab.page.evaluate(_MEASURE)
        assert sizes["header"] <= 0.15 * 900, sizes
