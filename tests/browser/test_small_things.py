"""Issue #16, journey 10, walked in the browser by the people it annoyed: the helpdesk
finds the canned replies in its menu and works through the support checklist without
a reload per step; anyone changes the language in one action, finds the statistics'
charts first with their tables folded away, reads the working groups' names whole,
and no page asks for an icon it does not get."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Response, ViewportSize, expect
from sqlalchemy import select

from app.cases.models import Case
from app.core.db import get_session
from dev.demo import load_demo_data
from tests.browser.conftest import OpenVisitor
from tests.browser.support import Visitor


@pytest.fixture
def demo(app: Flask) -> dict[str, str]:
    """The demo data; the reference of the newest case in each state."""
    with app.app_context():
        db = get_session()
        assert load_demo_data(db)
        return dict(db.execute(select(Case.state, Case.reference).order_by(Case.id.desc()))
                    .tuples().all())


def done_count(app: Flask, reference: str) -> int:
    with app.app_context():
        case = get_session().scalars(select(Case).where(Case.reference == reference)).one()
        return sum(item.done for item in case.checklist_items)


def test_the_helpdesk_finds_the_canned_replies_and_ticks_the_checklist_in_place(
        app: Flask, visitor: OpenVisitor, demo: dict[str, str]) -> None:
    sven = visitor("Sven Helpdesk")
    page = sven.page
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Canned replies").click()
    expect(page.locator("h1")).to_have_text("Canned replies")
    sven.audit()

    reference = demo["in_support"]
    sven.goto(f"/requests/{reference}")
    steps = page.locator("#checklist form").count()
    count = page.locator("#checklist-count")
    expect(count).to_have_text(f"0 of {steps} steps done")
    page.evaluate("() => { window.notReloaded = true; }")
    for number in range(1, 4):
        button = page.locator("#checklist li").nth(number - 1).get_by_role(
            "button", name="Mark as done")
        button.click()
        expect(count).to_have_text(f"{number} of {steps} steps done")
        # The focus stays on the step's button, which now undoes it.
        focused = page.evaluate("() => document.activeElement.textContent.trim()")
        assert focused == "Mark as not done", focused
    assert page.evaluate("() => window.notReloaded === true"), "the page was reloaded"
    assert done_count(app, reference) == 3
    sven.audit()
    # The page's other forms carry the case's new version: a change still goes through.
    with page.expect_navigation():
        page.get_by_role("button", name="Change assignee").click()
    expect(page.locator(".message--success")).to_have_text("The assignee was changed.")
    expect(count).to_have_text(f"3 of {steps} steps done")

    # Without JavaScript each step is a form of its own, and the page comes back.
    plain = visitor("Sven Helpdesk", javascript=False)
    plain.goto(f"/requests/{reference}")
    with plain.page.expect_navigation():
        plain.page.locator("#checklist li").nth(3).get_by_role(
            "button", name="Mark as done").click()
    expect(plain.page.locator("#checklist-count")).to_have_text(f"4 of {steps} steps done")
    assert done_count(app, reference) == 4


def test_the_language_changes_in_one_action(visitor: OpenVisitor) -> None:
    tab = visitor()
    tab.goto("/stats")
    with tab.page.expect_navigation():
        tab.page.get_by_label("Language").select_option("sv")
    assert tab.page.evaluate("() => document.documentElement.lang") == "sv"
    assert tab.path.startswith("/stats")
    # With the keyboard the arrow keys only move through the languages; Enter (or the
    # button) changes the page.
    select = tab.page.get_by_label("Språk")
    select.focus()
    last = select.evaluate("s => s.selectedIndex === s.options.length - 1")
    tab.page.keyboard.press("ArrowUp" if last else "ArrowDown")
    chosen = select.input_value()
    assert chosen != "sv"
    tab.page.wait_for_timeout(300)
    assert tab.page.evaluate("() => document.documentElement.lang") == "sv"
    with tab.page.expect_navigation():
        tab.page.keyboard.press("Enter")
    assert tab.page.evaluate("() => document.documentElement.lang") == chosen


def test_no_page_asks_for_an_icon_it_does_not_get(visitor: OpenVisitor,
                                                 demo: dict[str, str]) -> None:
    tab = visitor("Ngozi Committee")
    failed: list[str] = []

    def note(response: Response) -> None:
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    tab.page.on("response", note)
    for path in ("/", "/cases", "/stats", "/dashboard", f"/requests/{demo['in_initial_review']}"):
        tab.goto(path)
        icon = tab.page.locator('link[rel="icon"]').get_attribute("href")
        assert icon, path
        answer = tab.page.request.get(tab.url(icon))
        assert answer.status == 200 and answer.headers["content-type"].startswith("image/svg")
    assert tab.page.request.get(tab.url("/favicon.ico")).status == 200
    assert not failed, failed


def test_the_statistics_show_charts_first_and_fold_the_tables(
        visitor: OpenVisitor, demo: dict[str, str]) -> None:
    tab = visitor()
    tab.goto("/stats")
    page = tab.page
    charts = page.locator("main .chart svg[role='img']")
    assert charts.count() >= 4
    for index in range(charts.count()):
        expect(charts.nth(index)).to_be_visible()
    folded = page.locator("main details.stats-table")
    assert folded.count() == charts.count()
    expect(folded.first.locator("table")).to_be_hidden()
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 3 * 900, height
    tab.audit()
    folded.first.locator("summary").click()
    expect(folded.first.locator("table")).to_be_visible()
    tab.audit()


_BROKEN_WORDS = """() => {
  const context = document.createElement('canvas').getContext('2d');
  return [...document.querySelectorAll('.card-grid .card__title, .card-grid .dl-grid dd')]
    .filter(el => {
      const style = getComputedStyle(el);
      context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const words = el.textContent.split(/\\s+/).filter(Boolean);
      return words.some(word => context.measureText(word).width > el.clientWidth + 1);
    }).map(el => el.textContent.trim());
}"""


def check_names_whole(tab: Visitor, path: str) -> None:
    tab.goto(path)
    broken = tab.page.evaluate(_BROKEN_WORDS)
    assert not broken, f"{path} at {tab.page.viewport_size}: {broken}"


def test_the_names_in_the_group_cards_do_not_break_mid_word(
        visitor: OpenVisitor, demo: dict[str, str]) -> None:
    tab = visitor()
    sizes: tuple[ViewportSize, ...] = ({"width": 1280, "height": 900},
                                       {"width": 800, "height": 900},
                                       {"width": 390, "height": 844})
    for size in sizes:
        tab.page.set_viewport_size(size)
        for language in ("en", "sv", "ar"):
            check_names_whole(tab, f"/groups?uselang={language}")
