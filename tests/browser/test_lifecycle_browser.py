"""The whole lifecycle of a request in a real browser, as in production, with
JavaScript turned off: everyone signs in through the OAuth stand-in's authorize page,
finds the case through the app's own links and sends its forms. axe-core audits every
page on the way. The same steps as tests/test_lifecycle.py (the Flask test client)."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import OpenVisitor
from tests.browser.support import Visitor
from tests.system.test_lifecycle import COMMITTEE, people, state_of


def send(tab: Visitor, button: Locator, *, success: bool = True) -> None:
    """Press a submit button, wait for the answer page, audit it."""
    with tab.page.expect_navigation():
        button.click()
    if success:
        flash = tab.page.locator(".message--success")
        assert flash.count() == 1, tab.page.locator("main").inner_text()[:1500]
    tab.audit()


def form_with(page: Page, button_name: str) -> Locator:
    """The one form holding the submit button called `button_name`."""
    return page.locator("main form").filter(
        has=page.get_by_role("button", name=button_name, exact=True))


def follow(tab: Visitor, link: Locator) -> None:
    """Click a link and audit where it leads."""
    with tab.page.expect_navigation():
        link.click()
    tab.audit()


def vote(member: Visitor, ref: str, outcome: str) -> None:
    """A committee member opens the case and casts their own vote."""
    member.goto(f"/requests/{ref}")
    form = form_with(member.page, "Save my vote")
    form.get_by_label(outcome).check()
    send(member, form.get_by_role("button", name="Save my vote"))


def nav(tab: Visitor, name: str) -> None:
    follow(tab, tab.page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=name, exact=True))


def test_request_goes_from_filing_to_closed_in_a_browser(
        app: Flask, visitor: OpenVisitor) -> None:
    people(app)  # the committee, the helpdesk, the requester, a working-group lead

    # A requester signs in from the header and files a request with the form.
    ada = visitor(javascript=False)
    ada.goto("/")
    ada.audit()
    ada.sign_in("Ada Requester", via_header=True)
    ada.audit()
    nav(ada, "Ask for help")
    page = ada.page
    page.get_by_label("Title", exact=True).fill("Digitised maps of the Baltic")
    page.get_by_label("Description", exact=True).fill(
        "Ten thousand scanned maps from our collection, 1600-1900.")
    page.get_by_label("Type of request").select_option("commons_upload")
    page.get_by_label("Timeline").fill("Spring 2027")
    page.get_by_label("Name of the organisation").fill("Sjöhistoriska museet")
    page.get_by_label("Kind of organisation").select_option("glam")
    page.get_by_label("Country of the organisation").select_option("SE")
    page.get_by_label("Website").fill("https://www.sjohistoriska.se/")
    page.get_by_label("Wikidata item").fill("Q1140532")
    for name, values in (("content_kinds", ("images", "data")), ("licence", ("cc_by_sa",)),
                         ("target_projects", ("commons", "wikidata")),
                         ("themes", ("heritage", "climate")),
                         ("support_types", ("mass_upload", "community"))):
        for value in values:
            page.check(f'input[name="{name}"][value="{value}"]')
    page.get_by_label("Rough volume").fill("about 10,000 files")
    page.get_by_label("Licence details").fill("4.0 international")
    for name, values in (("countries", ("SE", "FI")), ("languages", ("sv", "fi"))):
        for value in values:  # checkboxes in groups: a click never wipes earlier choices
            page.check(f'input[name="{name}"][value="{value}"]')
    page.get_by_label("More about the help you need").fill("We need help with Pattypan.")
    page.get_by_label("Contact name").fill("Ada Lovelace")
    page.get_by_label("Contact email").fill("ada@example.org")
    page.get_by_label("List this request publicly").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send the request").click()
    ref = page.url.rsplit("/", 1)[-1]
    assert ref.startswith("CPH-"), page.url
    ada.audit()
    expect(page.locator("main")).to_contain_text("Waiting on")
    expect(page.locator("main")).to_contain_text("the helpdesk")
    assert state_of(app, ref) == "submitted"

    # The helpdesk finds it in its inbox, writes an internal note and triages it.
    sven = visitor("Sven Helpdesk", javascript=False)
    nav(sven, "Helpdesk inbox")
    follow(sven, sven.page.get_by_role("link", name=ref))
    page = sven.page
    note = form_with(page, "Send")
    note.get_by_label("Write a message").fill("Looks like spam? No, fine.")
    note.get_by_label("Only the helpdesk and the committee (an internal note)").check()
    send(sven, note.get_by_role("button", name="Send", exact=True))
    send(sven, page.get_by_role("button", name="Accept for review"))
    assert state_of(app, ref) == "in_initial_review"

    # Each committee member votes on their own; one records the initial feedback: refer.
    ngozi = visitor("Ngozi Committee", javascript=False)
    nav(ngozi, "Committee dashboard")
    follow(ngozi, ngozi.page.get_by_role("region", name="Waiting for your review")
           .get_by_role("link", name=ref))
    page = ngozi.page
    review = form_with(page, "Save my vote")
    review.get_by_label("Refer to working groups").check()
    review.get_by_label("Comment").fill("Ask Implementation")
    send(ngozi, review.get_by_role("button", name="Save my vote"))
    members = {name: visitor(name, javascript=False) for name in COMMITTEE[1:]}
    for member in members.values():
        vote(member, ref, "Refer to working groups")
    ngozi.goto(f"/requests/{ref}")
    decision = form_with(page, "Record the decision")
    decision.get_by_label("Refer to working groups").check()
    decision.get_by_label("Rationale (internal)").fill("Needs a data model check")
    decision.get_by_label("Implementation", exact=True).check()
    decision.get_by_label("Question for the working groups").fill(
        "Can you check the metadata mapping?")
    send(ngozi, decision.get_by_role("button", name="Record the decision"))
    assert state_of(app, ref) == "with_working_groups"

    # A member of the working group finds it on the group's page and answers.
    leila = visitor("Leila Lead", javascript=False)
    nav(leila, "Working groups")
    follow(leila, leila.page.get_by_role("link", name="Implementation", exact=True))
    members_only = leila.page.get_by_role(
        "region", name="All open requests referred to the group (members only)")
    follow(leila, members_only.get_by_role("link", name=ref))
    page = leila.page
    expect(page.locator("main")).to_contain_text("Can you check the metadata mapping?")
    expect(page.locator("main")).not_to_contain_text("Looks like spam")
    page.get_by_label("Your group's answer").fill("The mapping is fine; use P180.")
    send(leila, page.get_by_role("button", name="Send the answer"))
    assert state_of(app, ref) == "awaiting_final_go"

    # Another committee member gives the final go.
    mei = members["Mei Committee"]
    nav(mei, "Committee dashboard")
    follow(mei, mei.page.get_by_role("region", name="Waiting for your review")
           .get_by_role("link", name=ref))
    for member in (ngozi, members["Carlos Committee"], mei):
        vote(member, ref, "Give the final go")
    decision = form_with(mei.page, "Record the decision")
    decision.get_by_label("Give the final go").check()
    decision.get_by_label("Rationale (internal)").fill("All good")
    decision.get_by_label("Message to the requester").fill("Welcome aboard!")
    send(mei, decision.get_by_role("button", name="Record the decision"))
    assert state_of(app, ref) == "approved"

    # The helpdesk takes it, supports the upload and closes the case.
    sven.goto(f"/requests/{ref}")
    page = sven.page
    assign = form_with(page, "Change assignee")
    assign.get_by_label("Assigned to").select_option("Sven Helpdesk")
    send(sven, assign.get_by_role("button", name="Change assignee"))
    send(sven, page.get_by_role("button", name="Start support"))
    assert state_of(app, ref) == "in_support"
    item = page.locator("main form").filter(has=page.locator("#link-category_created"))
    item.get_by_label("Link for Commons category created").fill(
        "https://commons.wikimedia.org/wiki/Category:Baltic_maps")
    send(sven, item.get_by_role("button", name="Mark as done"))
    summary = form_with(page, "Save the summary")
    summary.get_by_label("Public summary").fill("Baltic maps are coming to Commons.")
    send(sven, summary.get_by_role("button", name="Save the summary"))
    close = form_with(page, "Close as resolved")
    close.get_by_label("Message to the requester (required)").fill(
        "All 10,000 maps are on Commons. Thank you!")
    send(sven, close.get_by_role("button", name="Close as resolved"))
    assert state_of(app, ref) == "closed"
    expect(page.locator("main")).to_contain_text("Baltic_maps")

    # The requester sees the outcome, without the internal parts.
    nav(ada, "My requests")
    follow(ada, ada.page.get_by_role("link", name=ref))
    main = ada.page.locator("main")
    for shown in ("All 10,000 maps are on Commons", "Welcome aboard!",
                  "Status: Closed (resolved)"):
        expect(main).to_contain_text(shown)
    for hidden in ("Looks like spam", "Needs a data model check", "Ask Implementation"):
        expect(main).not_to_contain_text(hidden)

    # Anyone, signed out, follows the public status.
    visitor_tab = visitor(javascript=False)
    visitor_tab.goto("/")
    nav(visitor_tab, "Public cases")
    follow(visitor_tab, visitor_tab.page.get_by_role("link", name=ref))
    main = visitor_tab.page.locator("main")
    expect(main).to_contain_text("Baltic maps are coming to Commons.")
    for hidden in ("ada@example.org", "Looks like spam", "Needs a data model check"):
        expect(main).not_to_contain_text(hidden)
