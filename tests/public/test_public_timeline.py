"""The public case page is not left empty (issue #16, journey 7): the helpdesk is asked
for the public summary when it accepts a request and when it closes one (a suggested
text offered), and the public page shows a timeline of stage changes with the public
rationales of committee decisions — nothing else of the history."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases import service
from app.cases.access import case_access
from app.cases.canned import draft_summary
from app.cases.models import Case
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from tests.case_client import hidden_fields
from tests.factories import make_case, make_user
from tests.helpers import SignIn
from tests.html import parse, text_of

COMMITTEE = ("Ngozi Committee", "Mei Committee", "Carlos Committee")


def _case(app: Flask, *steps: str, public_listing: bool = True,
          summary: str = "") -> str:
    """A case moved through `steps` (helpdesk moves and committee decisions)."""
    with app.app_context():
        db = get_session()
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        case = make_case(db, make_user(db, "Ada Requester"), public_listing=public_listing)
        for step in steps:
            _step(db, case, sven, step)
        if summary:
            service.set_public_summary(db, case, sven, case_access(db, sven, case), summary,
                                       case.version)
        db.commit()
        return case.reference


def _step(db: Session, case: Case, sven: User, step: str) -> None:
    if step in ("triage", "start_support"):
        service.move(db, case, sven, {"helpdesk"}, step)
        return
    members = [make_user(db, name, "committee") for name in COMMITTEE]
    rationales = {"ask_information": "Which licence do the scans have?",
                  "proceed": "A good fit for Wikimedia Commons.",
                  "approve": "The test batch looks right."}
    service.record_decision(
        db, case, members[0], case_access(db, members[0], case), expected_version=case.version,
        outcome=step, rationale=f"Internal-{step}-reasoning",
        public_rationale=rationales.get(step, ""), participant_ids=[m.id for m in members])


def _case_row(app: Flask, reference: str) -> Case:
    db = get_session()
    return db.scalars(select(Case).where(Case.reference == reference)).one()


def _events(app: Flask, reference: str) -> list[str]:
    with app.app_context():
        case = _case_row(app, reference)
        return list(get_session().scalars(
            select(AuditEvent.action).where(AuditEvent.object_type == "case",
                                            AuditEvent.object_id == str(case.id))
            .order_by(AuditEvent.id)))


def _action_form(html: str, action: str) -> Any:
    soup = parse(html)
    found = soup.select_one(f'form:has(input[name="action"][value="{action}"])')
    assert found is not None, action
    return found


def _post_action(client: FlaskClient, reference: str, action: str, **data: str) -> Any:
    page = client.get(f"/requests/{reference}").get_data(as_text=True)
    form = _action_form(page, action)
    fields = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}
    return client.post(f"/requests/{reference}/action", data={**fields, **data})


def test_triage_asks_for_the_public_summary_with_a_suggestion(
        app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    reference = _case(app)
    sign_in(client, "Sven Helpdesk")
    html = client.get(f"/requests/{reference}").get_data(as_text=True)
    box = _action_form(html, "triage").select_one("details[open] textarea[name=public_summary]")
    assert box is not None  # open: there is no summary yet
    label = parse(html).select_one(f'label[for="{box["id"]}"]')
    assert label is not None and text_of(label) == "Public summary"
    with app.test_request_context("/?uselang=en"):
        draft = draft_summary(_case_row(app, reference), "triage")
    assert text_of(box) == draft  # no summary yet: the suggestion is in the box
    assert "Museum of Examples asked the Content Partnerships Hub" in draft
    assert "Wikimedia Commons" in draft and "Expert Committee is reviewing" in draft

    response = _post_action(client, reference, "triage",
                            public_summary="Scanned maps of the Baltic, for Commons.")
    assert response.status_code == 302
    assert _events(app, reference)[-2:] == ["case.public_summary", "case.triage"]
    public = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Scanned maps of the Baltic, for Commons." in public


def test_closing_offers_the_closing_suggestion_and_keeps_an_unchanged_summary(
        app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    reference = _case(app, "triage", "proceed", "approve", "start_support",
                      summary="Old maps of the Baltic.")
    sign_in(client, "Sven Helpdesk")
    html = client.get(f"/requests/{reference}").get_data(as_text=True)
    form = _action_form(html, "close_resolved")
    box = form.select_one("textarea[name=public_summary]")
    assert box is not None and text_of(box) == "Old maps of the Baltic."
    folded = form.select_one("details.summary-field")
    assert folded is not None and not folded.has_attr("open")  # there is a summary already
    suggestion = form.select_one("[data-draft-text]")
    assert suggestion is not None and "the request is resolved" in text_of(suggestion)
    button = form.select_one("button[data-draft-for]")
    assert button is not None and button.has_attr("hidden")  # shown by the script only
    assert form.select_one('script[src$="/static/js/summary-draft.js"][defer]') is not None
    assert "Suggested text:" in text_of(form)

    response = _post_action(client, reference, "close_resolved", message="All uploaded.",
                            public_summary="Old maps of the Baltic.")
    assert response.status_code == 302
    events = _events(app, reference)
    assert events[-1] == "case.close_resolved"
    assert events.count("case.public_summary") == 1  # unchanged: nothing recorded


def test_closing_as_a_duplicate_writes_the_summary(
        app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    original = _case(app, "triage")
    reference = _case(app, "triage")
    sign_in(client, "Sven Helpdesk")
    response = _post_action(client, reference, "close_duplicate", duplicate_of=original,
                            message="Same maps.", public_summary="The same as the other one.")
    assert response.status_code == 302
    with app.app_context():
        case = _case_row(app, reference)
        assert (case.state, case.public_summary) == ("closed", "The same as the other one.")


def test_a_refused_action_keeps_what_was_typed(
        app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    original = _case(app, "triage")
    sign_in(client, "Sven Helpdesk")
    response = _post_action(client, original, "close_duplicate", duplicate_of="CPH-1999-0001",
                            message="Same.", public_summary="Typed, then refused.")
    assert response.status_code == 400
    form = _action_form(response.get_data(as_text=True), "close_duplicate")
    box = form.select_one("textarea[name=public_summary]")
    assert box is not None and text_of(box) == "Typed, then refused."
    with app.app_context():
        assert _case_row(app, original).public_summary == ""


def test_only_the_helpdesk_of_a_publicly_listed_request_is_asked(
        app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    private = _case(app, public_listing=False)
    sign_in(client, "Sven Helpdesk")
    html = client.get(f"/requests/{private}").get_data(as_text=True)
    assert parse(html).select_one("textarea[name=public_summary]") is not None  # its own form
    assert _action_form(html, "triage").select_one("textarea[name=public_summary]") is None
    listed = _case(app)
    ada = client.application.test_client()
    sign_in(ada, "Ada Requester")
    html = ada.get(f"/requests/{listed}").get_data(as_text=True)
    assert parse(html).select_one("textarea[name=public_summary]") is None
    # a requester cannot write it by posting the field either
    response = ada.post(f"/requests/{listed}/action", data={
        **hidden_fields(html), "action": "withdraw", "public_summary": "Mine now"})
    assert response.status_code == 403
    with app.app_context():
        assert _case_row(app, listed).public_summary == ""


def test_the_public_page_shows_the_public_timeline(app: Flask, client: FlaskClient) -> None:
    reference = _case(app, "triage", "ask_information")
    with app.app_context():
        db = get_session()
        case = _case_row(app, reference)
        ada = make_user(db, "Ada Requester")
        service.move(db, case, ada, {"requester"}, "answer", message="CC BY-SA 4.0, Ada-secret")
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        service.post_message(db, case, sven, case_access(db, sven, case), "Staff-only note",
                             internal=True)
        for step in ("proceed", "approve"):
            _step(db, case, sven, step)
        db.commit()
    html = client.get(f"/cases/{reference}").get_data(as_text=True)
    soup = parse(html)
    history = soup.select_one('section[aria-labelledby="history-heading"]')
    assert history is not None
    items = [text_of(item) for item in history.select("li")]
    stages = ["Submitted", "In initial review", "Needs information", "In initial review",
              "Awaiting final go", "Approved"]
    assert [next(s for s in sorted(stages, key=len, reverse=True) if f"Status: {s}" in item)
            for item in items] == stages
    assert all(item.select_one("time[datetime][title]") for item in history.select("li"))
    assert "Committee decision (Initial feedback)" in items[4]
    assert "A good fit for Wikimedia Commons." in items[4]
    assert "Committee decision (Final go)" in items[5]
    assert "The test batch looks right." in items[5]
    assert "Committee decision (Initial feedback)" in items[2]  # asked the requester …
    for private in ("Which licence do the scans have?",  # … but the question is theirs
                    "Internal-", "Ada-secret", "Staff-only note", "Sven Helpdesk",
                    "Ngozi Committee"):
        assert private not in html, private


def test_the_timeline_of_a_reopened_case_and_a_legacy_event(app: Flask, client: FlaskClient
                                                           ) -> None:
    """Every stage change is listed, also after reopening; an event without a state
    (none is written so, but the log is old) is skipped, not shown as a code."""
    reference = _case(app, "triage")
    with app.app_context():
        db = get_session()
        case = _case_row(app, reference)
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        service.move(db, case, sven, {"helpdesk"}, "close_duplicate", message="dup",
                     outcome="duplicate")
        service.move(db, case, sven, {"helpdesk"}, "reopen", message="not a duplicate")
        db.add(AuditEvent(actor_id=sven.id, action="case.reopen", object_type="case",
                          object_id=str(case.id), before=None, after=None))
        db.commit()
    history = parse(client.get(f"/cases/{reference}").get_data(as_text=True)).select_one(
        'section[aria-labelledby="history-heading"]')
    assert history is not None
    assert [text_of(li).split("Status: ")[1] for li in history.select("li")] == [
        "Submitted", "In initial review", "Closed (resolved)", "In support"]
