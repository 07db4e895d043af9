"""Shared set-up of the meeting tests: members, cases in each stage, meetings."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.auth.models import User
from app.cases import service
from app.cases.access import case_access
from app.cases.models import Case
from app.core.models import utcnow
from app.meetings.models import Meeting
from tests.factories import make_case, make_user
from tests.helpers import app_session, csrf_token

MEMBERS = ("Ngozi Committee", "Mei Committee", "Carlos Committee")


def setup_people(app: Flask) -> None:
    """Three committee members, the helpdesk and a requester, all with addresses."""
    with app_session(app) as db:
        for name in MEMBERS:
            make_user(db, name, "committee", email=f"{name.split()[0].lower()}@example.org")
        make_user(db, "Sven Helpdesk", "helpdesk", email="sven@example.org")
        make_user(db, "Ada Requester", email="ada@example.org")


def user(db: object, username: str) -> User:
    return db.scalars(select(User).where(User.username == username)).one()  # type: ignore[attr-defined]


def case_in(app: Flask, state: str, title: str, days: int = 0, public: bool = True) -> str:
    """A case moved to `state` through the workflow, `days` into its stage; its reference."""
    with app_session(app) as db:
        ada, sven = user(db, "Ada Requester"), user(db, "Sven Helpdesk")
        case = make_case(db, ada, title=title, public_listing=public)
        if state != "submitted":
            service.move(db, case, sven, {"helpdesk"}, "triage")
        if state == "needs_information":
            decide_together(db, case, "ask_information", "Please send the licence.")
        if state == "awaiting_final_go":
            decide_together(db, case, "proceed", "")
        if state == "declined":
            decide_together(db, case, "decline", "Out of scope.")
        db.flush()
        case.stage_started_at = utcnow() - timedelta(days=days, hours=1)
        return case.reference


def decide_together(db: object, case: Case, outcome: str, public: str) -> None:
    """A decision taken on the case page by the three members together."""
    ngozi = user(db, "Ngozi Committee")
    others = [user(db, name).id for name in MEMBERS]
    service.record_decision(db, case, ngozi, case_access(db, ngozi, case),  # type: ignore[arg-type]
                            expected_version=case.version, outcome=outcome,
                            rationale="Internal reasons.", public_rationale=public,
                            participant_ids=others)


def make_meeting(app: Flask, title: str, starts_at: datetime,
                 attendees: tuple[str, ...] = MEMBERS, chair: str | None = "Ngozi Committee"
                 ) -> int:
    """A meeting made through the service, as the form does."""
    from app.meetings import service as meetings

    with app_session(app) as db:
        ngozi = user(db, "Ngozi Committee")
        meeting = meetings.create_meeting(db, ngozi, meetings.MeetingFields(
            title=title, starts_at=starts_at, duration_minutes=90, location="https://meet.example/x",
            chair_id=user(db, chair).id if chair else None,
            attendee_ids=[user(db, name).id for name in attendees]))
        return meeting.id


def meeting_row(app: Flask, meeting_id: int) -> Meeting:
    with app_session(app) as db:
        meeting = db.get(Meeting, meeting_id)
        assert meeting is not None
        db.expunge(meeting)
        return meeting


def post_form(client: FlaskClient, page: str, target: str, **data: str) -> TestResponse:
    """POST `data` to `target` with the CSRF token of the form on `page`."""
    return client.post(target, data={"csrf_token": csrf_token(client, page), **data})
