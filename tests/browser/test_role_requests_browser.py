"""Asking for a role and answering it, in a browser without JavaScript: a working-group
lead offers to join the committee from the home page; the administrator's home page
says a request waits and leads to the roles page, where it is declined with an answer
the lead then reads. axe finds nothing on the pages on the way."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import expect

from app.core.db import get_session
from tests.browser.conftest import OpenVisitor
from tests.factories import make_user


def test_a_lead_asks_to_join_the_committee_and_is_answered(app: Flask,
                                                           visitor: OpenVisitor) -> None:
    with app.app_context():
        db = get_session()
        make_user(db, "Admin Demo")
        make_user(db, "Leila Lead")
        db.commit()

    leila = visitor("Leila Lead", javascript=False)
    leila.goto("/")
    leila.page.get_by_role("link", name="Ask for a role").click()
    leila.page.get_by_label("Expert Committee member").check()
    leila.page.get_by_label("Why you, and how much time you can give").fill(
        "I lead the implementation group; four hours a month.")
    leila.audit("the page to ask for a role")
    leila.page.get_by_role("button", name="Send the request").click()
    expect(leila.page.get_by_role("status").first).to_contain_text(
        "Your request for the role Expert Committee member was sent to the administrators.")
    expect(leila.page.get_by_role("table")).to_contain_text("Waiting for an answer")

    admin = visitor("Admin Demo", javascript=False)
    admin.goto("/")
    expect(admin.page.get_by_text("1 request for a role is waiting for your answer.")
           ).to_be_visible()
    admin.page.get_by_role("link", name="Answer on the roles page").click()
    requests = admin.page.get_by_role("region", name="Requests for a role 1")
    expect(requests).to_contain_text("I lead the implementation group; four hours a month.")
    admin.audit("the roles page with a request waiting")
    requests.get_by_label("Answer if you decline").fill(
        "The committee is full until the March election.")
    requests.get_by_role("button", name="Decline Leila Lead").click()
    expect(admin.page.get_by_role("region", name="Requests for a role 0")).to_contain_text(
        "No request for a role is waiting for an answer.")

    leila.goto("/roles/request")
    row = leila.page.get_by_role("row").nth(1)
    expect(row).to_contain_text("Declined")
    expect(row).to_contain_text("The committee is full until the March election.")
    leila.audit("the requester's answered request")
