"""What needs you, in a browser on a phone: the helpdesk's home page starts with its
work, the Menu button says how much needs them, the opened menu names the inbox's
count, and axe finds nothing on the page."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import expect

from app.cases import service
from app.core.db import get_session
from tests.attention.support import people
from tests.browser.conftest import OpenVisitor
from tests.browser.test_phone import PHONE
from tests.factories import make_case


def test_the_helpdesk_sees_its_work_and_counts_on_a_phone(app: Flask,
                                                          visitor: OpenVisitor) -> None:
    with app.app_context():
        db = get_session()
        u = people(db)
        new = make_case(db, u["ada"], title="Maps of the Baltic")
        assigned = make_case(db, u["omar"], title="Photos of bridges")
        service.move(db, assigned, u["sven"], {"helpdesk"}, "triage")
        assigned.assignee_id = u["sven"].id
        db.commit()
        reference = new.reference
    tab = visitor("Sven Helpdesk")
    tab.page.set_viewport_size(PHONE)
    tab.goto("/")
    page = tab.page
    work = page.get_by_role("region", name="What needs you")
    expect(work).to_be_visible()
    expect(work.get_by_role("region", name="New requests 1")).to_contain_text(reference)
    expect(work.get_by_role("region", name="Assigned to you 1")).to_contain_text(
        "Photos of bridges")
    # the Menu button carries the total, read out as a sentence (the new request, and
    # the assigned case he watches and has not opened yet)
    button = page.locator("summary.site-menu__button")
    expect(button).to_contain_text("2 need you")
    button.click()
    inbox = page.get_by_role("link", name="Helpdesk inbox", exact=True)
    expect(inbox).to_be_visible()
    expect(inbox).to_have_accessible_description("1 needs you")
    tab.audit("the helpdesk's home page on a phone")
