"""What needs you, in a browser, for the requester and a committee member: the
requester's home page starts with the committee's question and leads to the answer box;
a committee member's with the cases waiting for their vote and the next meeting; axe
finds nothing on either page."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from playwright.sync_api import expect

from app.cases import service
from app.cases.access import case_access
from app.core.db import get_session
from app.core.models import utcnow
from app.meetings.models import Meeting
from tests.attention.support import people
from tests.browser.conftest import OpenVisitor
from tests.factories import make_case


def test_the_requester_and_a_committee_member_see_their_work(app: Flask,
                                                            visitor: OpenVisitor) -> None:
    with app.app_context():
        db = get_session()
        u = people(db)
        asked = make_case(db, u["ada"], title="Maps of the Baltic")
        service.move(db, asked, u["sven"], {"helpdesk"}, "triage")
        members = [u["ngozi"], u["mei"], u["carlos"]]
        service.record_decision(
            db, asked, members[0], case_access(db, members[0], asked),
            expected_version=asked.version, outcome="ask_information", rationale="r",
            public_rationale="Which licence do the scans have?",
            participant_ids=[member.id for member in members])
        waiting = make_case(db, u["omar"], title="Photos of bridges")
        service.move(db, waiting, u["sven"], {"helpdesk"}, "triage")
        db.add(Meeting(title="December meeting", starts_at=utcnow() + timedelta(days=4)))
        db.commit()
        asked_ref, waiting_ref = asked.reference, waiting.reference

    ada = visitor("Ada Requester")
    ada.goto("/")
    work = ada.page.get_by_role("region", name="What needs you")
    mine = work.get_by_role("region", name="Your requests waiting for your answer 1")
    expect(mine).to_contain_text(asked_ref)
    expect(mine).to_contain_text("Which licence do the scans have?")
    ada.audit("the requester's home page")
    mine.get_by_role("link", name=asked_ref).click()
    expect(ada.page.get_by_label("Your answer")).to_be_visible()

    ngozi = visitor("Ngozi Committee")
    ngozi.goto("/")
    work = ngozi.page.get_by_role("region", name="What needs you")
    expect(work.get_by_role("region", name="Waiting for your vote 1")).to_contain_text(
        waiting_ref)
    meeting = work.get_by_role("region", name="Next committee meeting")
    expect(meeting).to_contain_text("December meeting")
    ngozi.audit("a committee member's home page")
    meeting.get_by_role("link", name="December meeting").click()
    expect(ngozi.page.get_by_role("heading", level=1)).to_contain_text("December meeting")
