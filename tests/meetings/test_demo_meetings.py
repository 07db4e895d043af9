"""The demo data shows the committee's way of working: a past meeting with its internal
and public minutes, the next one, and a ranked support queue."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.core.audit_log import AuditEvent
from tests.helpers import SignIn, app_session
from tests.html import parse, table_rows, text_of


def test_the_demo_has_a_past_meeting_with_minutes_and_a_ranked_queue(
        app: Flask, sign_in: SignIn) -> None:
    loaded = app.test_cli_runner().invoke(args=["demo", "load"])
    assert loaded.exit_code == 0, loaded.output
    visitor = app.test_client()
    listing = visitor.get("/api/v1/meetings").get_json()["meetings"]
    held = [meeting for meeting in listing if meeting["held"]]
    assert held and any(not meeting["held"] for meeting in listing)
    minutes = visitor.get(f"/api/v1/meetings/{held[0]['id']}").get_json()
    assert minutes["decisions"]
    public_page = parse(visitor.get(f"/meetings/{held[0]['id']}").get_data(as_text=True))
    assert ([text_of(a) for a in public_page.select(".meeting-decisions a")]
            == [d["case"]["reference"] for d in minutes["decisions"]])

    helpdesk = app.test_client()
    sign_in(helpdesk, "Sven Helpdesk")
    internal = helpdesk.get(f"/committee/meetings/{held[0]['id']}").get_data(as_text=True)
    assert "All three members attended." in internal  # the internal minutes
    assert "Discussed with the working group" in internal

    member = app.test_client()
    sign_in(member, "Ngozi Committee")
    queue = [row[2] for row in table_rows(member.get("/committee/queue").get_data(as_text=True))]
    # The committee moved the bird recordings up, with its reason in the audit log.
    assert queue == ["Vaccination campaign videos", "Bird sound recordings of Kenya",
                     "Oral histories of the Andes"]
    with app_session(app) as db:
        reasons = {(event.after or {}).get("reason") for event in db.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.queue_place"))}
    assert reasons == {"The recordings are at risk: the tapes are decaying."}
