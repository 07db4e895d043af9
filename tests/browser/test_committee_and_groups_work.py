"""Issue #16, journeys 1, 2 and 5, walked in a real browser without JavaScript as the
people they are for:

1. a working-group lead finds the committee's question from the home page and the
   menu, answers it on "My groups" and accepts someone into the group;
2. a committee member opens the dashboard on what needs them: the case waiting for
   their review first, with their review state, the reviews against the quorum, the
   licence flag and the days waiting;
3. the same member works through the case page in order — where it is, the request,
   the reviews, their own review, the decision — sees who has reviewed among the
   members taking part, and finds the quorum error next to those checkboxes.

axe-core audits every page on the way, and the changed pages in English and Arabic.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Locator, expect
from sqlalchemy import select

from app.auth.models import User
from app.cases.models import Case
from app.committee import votes
from app.core.db import get_session
from app.groups import service as groups
from app.groups.models import WorkingGroup
from dev.demo import load_demo_data
from tests.browser.conftest import OpenVisitor
from tests.browser.support import Visitor

QUESTION = "Can you help model the rainfall data on Wikidata?"  # the demo's referral


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    """The demo data (Leila leads Implementation, which has the demo's referral), Ada
    asking to join Implementation, and a case in initial review that Mei reviewed, its
    licence flagged."""
    with app.app_context():
        db = get_session()
        assert load_demo_data(db)
        users = {user.username: user for user in db.scalars(select(User))}
        implementation = db.scalars(select(WorkingGroup).where(
            WorkingGroup.slug == "implementation")).one()
        groups.request_to_join(db, implementation, users["Ada Requester"],
                               "I know the rainfall archive.")
        referred = db.scalars(select(Case).where(Case.state == "with_working_groups")).one()
        reviewed = db.scalars(select(Case).where(Case.state == "in_initial_review")
                              .order_by(Case.id)).first()
        assert reviewed is not None
        reviewed.licence_flagged = True
        votes.cast_vote(db, reviewed, users["Mei Committee"], "initial", "proceed",
                        "A good collection; check the licence.", {})
        db.commit()
        return {"referred": referred.reference, "reviewed": reviewed.reference,
                "reviewed_title": reviewed.title}


def send(tab: Visitor, button: Locator, status: int = 200) -> None:
    """Press a submit button and wait for the page it leads to."""
    with tab.page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None and response.status == status, tab.path


def audit_in_both_languages(tab: Visitor, path: str) -> None:
    for language in ("ar", "en"):
        tab.goto(f"{path}?uselang={language}")
        tab.audit(f"{path} ({language})")


def test_a_lead_answers_the_committee_and_a_request_to_join(
        visitor: OpenVisitor, world: dict[str, Any]) -> None:
    leila = visitor("Leila Lead", javascript=False)
    page = leila.page
    # The home page says what waits for the group, and leads to My groups.
    notice = page.get_by_role("region", name="Your working groups")
    expect(notice).to_contain_text("1 question from the committee is waiting for your "
                                   "group's answer.")
    expect(notice).to_contain_text("1 request to join is waiting for your answer.")
    expect(page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="My groups")).to_be_visible()
    leila.audit()
    with page.expect_navigation():
        notice.get_by_role("link", name="Answer on My groups").click()
    expect(page.locator("h1")).to_have_text("My groups")
    group = page.get_by_role("region", name="Implementation")
    expect(group).to_contain_text(f"The committee asks: {QUESTION}")
    expect(group).to_contain_text("Ada Requester asked on")
    expect(group).to_contain_text("I know the rainfall archive.")
    leila.audit()
    audit_in_both_languages(leila, "/groups/mine")

    # The group page sends a member to the case page, where the question is.
    leila.goto("/groups/implementation")
    members_only = page.get_by_role(
        "region", name="All open requests referred to the group (members only)")
    with page.expect_navigation():
        members_only.get_by_role("link", name=world["referred"]).click()
    assert page.url.endswith(f"/requests/{world['referred']}#referrals-heading"), page.url
    expect(page.get_by_role("region", name="Questions to working groups")).to_contain_text(
        QUESTION)
    leila.audit()
    audit_in_both_languages(leila, "/groups/implementation")

    # Accept Ada from My groups, and come back to it.
    leila.goto("/groups/mine")
    send(leila, group.get_by_role("button", name="Accept Ada Requester"))
    assert leila.path == "/groups/mine", leila.path
    expect(page.locator(".message--success")).to_contain_text(
        "Ada Requester is now a member of Implementation.")
    expect(group).to_contain_text("No request to join is waiting for an answer.")
    leila.audit()

    # Answer the committee's question right there: the case moves on.
    group.get_by_label("Your group's answer").fill("Yes: use P1886 with a qualifier per month.")
    send(leila, group.get_by_role("button", name="Send the answer"))
    assert leila.path == f"/requests/{world['referred']}", leila.path
    expect(page.locator(".message--success")).to_contain_text(
        "Your group's answer was recorded.")
    expect(page.locator("main")).to_contain_text("use P1886 with a qualifier per month.")
    expect(page.locator("main")).to_contain_text("Awaiting final go")
    leila.audit()
    leila.goto("/groups/mine")
    expect(group).to_contain_text("No question from the committee is waiting for this "
                                  "group's answer.")
    leila.goto("/")
    expect(page.get_by_role("region", name="Your working groups")).to_have_count(0)


def test_a_committee_member_goes_from_the_dashboard_to_the_decision(
        visitor: OpenVisitor, world: dict[str, Any]) -> None:
    ngozi = visitor("Ngozi Committee", javascript=False)
    page = ngozi.page
    with page.expect_navigation():
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="Committee dashboard").click()
    # What needs me comes first, with what I need to know about each case.
    first_heading = page.locator("main h2").first
    expect(first_heading).to_contain_text("Waiting for your review")
    for_me = page.get_by_role("region", name="Waiting for your review")
    row = for_me.get_by_role("row").filter(has_text=world["reviewed"])
    for shown in (world["reviewed_title"], "Not reviewed yet", "1 of 3", "Not a free licence",
                  "0 days"):
        expect(row).to_contain_text(shown)
    expect(page.get_by_role("region", name="Waiting on the committee")).to_be_visible()
    # Approved cases and cases in support are not the committee's: only through a filter.
    queue = page.get_by_role("region", name="Queue")
    expect(queue.get_by_role("combobox", name="State")).to_have_value("committee")
    expect(queue.locator("table")).not_to_contain_text("In support")
    ngozi.audit()
    audit_in_both_languages(ngozi, "/dashboard")

    # The case page, in the order of the work.
    ngozi.goto("/dashboard")
    with page.expect_navigation():
        for_me.get_by_role("link", name=world["reviewed"]).click()
    ngozi.audit()
    order = ["Where this request is", "The request", "Votes (initial feedback)",
             "Your vote (initial feedback)", "Record the initial feedback", "History"]
    tops = [page.get_by_role("heading", name=name, exact=True).bounding_box() for name in order]
    assert all(box is not None for box in tops), order
    ys = [box["y"] for box in tops if box is not None]
    assert ys == sorted(ys), list(zip(order, ys, strict=True))
    reviews = page.get_by_role("region", name="Expert Committee")
    expect(reviews).to_contain_text("1 member has voted; a decision needs 3 votes.")
    # the others' votes show once Ngozi has voted herself
    expect(reviews).not_to_contain_text("A good collection; check the licence.")
    expect(reviews).to_contain_text("You see the other members' votes once you have voted.")
    decision = page.locator("form").filter(
        has=page.get_by_role("button", name="Record the decision"))
    audit_in_both_languages(ngozi, f"/requests/{world['reviewed']}")

    # My own vote with a score, then the decision, first without a quorum of votes.
    ngozi.goto(f"/requests/{world['reviewed']}")
    mine = page.locator("form").filter(has=page.get_by_role("button", name="Save my vote"))
    mine.get_by_label("Proceed to final go").check()
    mine.get_by_label("Comment").fill("Agreed, once the licence is clear.")
    mine.get_by_label("Technical", exact=True).select_option("4")
    mine.get_by_label("Note on Technical").fill("Good scans.")
    send(ngozi, mine.get_by_role("button", name="Save my vote"))
    expect(page.locator(".message--success")).to_contain_text("Your vote was saved.")
    expect(reviews).to_contain_text("A good collection; check the licence.")
    expect(page.locator("#vote-tally")).to_contain_text("Proceed to final go: 2")
    decision.get_by_label("Proceed to final go").check()
    decision.get_by_label("Rationale (internal)").fill("A fine collection.")
    send(ngozi, decision.get_by_role("button", name="Record the decision"), status=409)
    # The error is at the top of the form, and the browser is there, not at the top.
    error = decision.locator(".message--error")
    expect(error).to_contain_text("A decision needs at least 3 votes")
    expect(error).to_be_in_viewport()
    assert page.evaluate("() => window.scrollY") > 300
    expect(decision.get_by_label("Rationale (internal)")).to_have_value("A fine collection.")
    ngozi.audit("the refused decision")
    # Carlos votes on his own page; then the decision is recorded.
    carlos = visitor("Carlos Committee", javascript=False)
    carlos.goto(f"/requests/{world['reviewed']}")
    his = carlos.page.locator("form").filter(
        has=carlos.page.get_by_role("button", name="Save my vote"))
    his.get_by_label("Proceed to final go").check()
    send(carlos, his.get_by_role("button", name="Save my vote"))
    send(ngozi, decision.get_by_role("button", name="Record the decision"))
    expect(page.locator(".message--success")).to_contain_text(
        "The decision was recorded; the request is now “Awaiting final go”.")
    assert page.evaluate("() => window.scrollY") == 0  # the confirmation is in sight
    ngozi.audit()
