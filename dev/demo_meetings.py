"""Demo committee meetings: last month's, with its minutes and decisions, and next one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases.models import Case
from app.committee.models import Decision
from app.core.models import utcnow
from app.meetings import service as meetings
from app.meetings.models import AgendaItem

MEMBERS = ("Ngozi Committee", "Mei Committee", "Carlos Committee")


def load_meetings_demo(db: Session, users: dict[str, User]) -> None:
    """A past meeting that took every decision of the demo cases (its internal and
    public minutes), and a meeting in ten days whose agenda builds itself."""
    chair = users["Ngozi Committee"]
    attendees = [users[name].id for name in MEMBERS]
    today = utcnow().replace(hour=15, minute=0, second=0, microsecond=0)
    past = meetings.create_meeting(db, chair, meetings.MeetingFields(
        title="November meeting of the Expert Committee", starts_at=today - timedelta(days=14),
        duration_minutes=90, location="https://meet.example.org/expert-committee",
        chair_id=chair.id, attendee_ids=attendees))
    decided = db.execute(select(Decision, Case).join(Case, Case.id == Decision.case_id)
                         .order_by(Decision.id)).tuples().all()
    for decision, case in decided:
        meetings.save_case_minute(db, past, chair, case,
                                  "Discussed with the working group's notes at hand.")
        item = db.scalars(select(AgendaItem).where(AgendaItem.meeting_id == past.id,
                                                   AgendaItem.case_id == case.id)).one()
        item.decision_id = decision.id
    topic = meetings.add_topic(db, past, chair, "Guidelines on AI-generated images")
    meetings.save_topic_minute(db, past, chair, topic,
                               "Mei drafts a guidelines page for the next meeting.")
    meetings.save_notes(db, past, chair, "All three members attended. The next meeting is "
                        "in December.")
    upcoming = meetings.create_meeting(db, chair, meetings.MeetingFields(
        title="December meeting of the Expert Committee", starts_at=today + timedelta(days=10),
        duration_minutes=90, location="https://meet.example.org/expert-committee",
        chair_id=chair.id, attendee_ids=attendees))
    meetings.add_topic(db, upcoming, users["Mei Committee"],
                       "Draft guidelines on AI-generated images")
    db.flush()
