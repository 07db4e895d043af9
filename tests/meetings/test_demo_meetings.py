"""The demo data shows the committee's way of working: a past meeting with its internal
and public minutes, the next one, and a ranked support queue."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.cases.models import Case
from app.core.audit_log import AuditEvent
from app.meetings.models import AgendaItem
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


def test_the_demo_meeting_has_public_rationales_and_is_replayable_from_the_audit_log(
        app: Flask) -> None:
    """The demo's meeting was made through the services: its public minutes give the
    committee's reasons, and the audit log holds each decision taken there, each vote
    the chair recorded and each minute."""
    loaded = app.test_cli_runner().invoke(args=["demo", "load"])
    assert loaded.exit_code == 0, loaded.output
    visitor = app.test_client()
    held = next(meeting for meeting in visitor.get("/api/v1/meetings").get_json()["meetings"]
                if meeting["held"])
    decisions = visitor.get(f"/api/v1/meetings/{held['id']}").get_json()["decisions"]
    explained = [d for d in decisions if d["outcome"] != "ask_information"]
    assert {d["outcome"] for d in explained} >= {"approve", "proceed", "decline"}
    assert all(d["public_rationale"].strip() for d in explained), decisions
    asked = [d for d in decisions if d["outcome"] == "ask_information"]
    assert asked and all(d["public_rationale"] == "" for d in asked)  # a question stays private
    page = parse(visitor.get(f"/meetings/{held['id']}").get_data(as_text=True))
    assert ([text_of(p) for p in page.select(".meeting-rationale")]
            == [d["public_rationale"] for d in explained])

    with app_session(app) as db:
        events = list(db.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "meeting", AuditEvent.object_id == str(held["id"]))
            .order_by(AuditEvent.id)))
        replayed = {e.after["case"]: e.after["decision"] for e in events
                    if e.action == "meeting.decision"}
        recorded = dict(db.execute(
            select(Case.reference, AgendaItem.decision_id)
            .join(AgendaItem, AgendaItem.case_id == Case.id)
            .where(AgendaItem.meeting_id == held["id"], AgendaItem.decision_id.is_not(None))
        ).tuples().all())
        aloud = [e.after for e in db.scalars(select(AuditEvent).where(
            AuditEvent.action == "case.vote")) if e.after.get("meeting") == held["id"]]
        minuted = {e.after.get("case") for e in events if e.action == "meeting.minute"}
    assert replayed == recorded  # every decision taken at the meeting, and only those
    assert {d["case"]["reference"] for d in decisions} <= set(replayed)
    assert events[0].action == "meeting.create" and "meeting.notes" in {e.action for e in events}
    assert len(aloud) == len(replayed) and all(vote["recorded_by"] for vote in aloud)
    assert set(replayed) <= minuted
