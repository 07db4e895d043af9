"""Demo committee meetings and decisions: last month's meeting, where the chair recorded
the votes given aloud, took the decisions and wrote the internal and public minutes; the
decisions taken between meetings on the case page; and next month's meeting.

Everything goes through the services the pages use, so the audit log holds every step
(`meeting.create`, `case.vote`, `meeting.minute`, `meeting.decision`, …) and the
meeting can be replayed from it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases.models import Case
from app.committee import service as committee
from app.committee import votes
from app.core.models import utcnow
from app.groups.models import WorkingGroup
from app.meetings import service as meetings
from app.meetings.models import Meeting

MEMBERS = ("Ngozi Committee", "Mei Committee", "Carlos Committee")
CHAIR = "Ngozi Committee"
ALOUD = "Carlos Committee"  # joins the meeting by video and gives his votes aloud
LOCATION = "https://meet.example.org/expert-committee"

# Why the committee decided so: (internal rationale, public rationale). The public one
# is the requester's message and, for a publicly listed request, the public minutes'
# (a question to the requester excepted).
RATIONALES: dict[str, tuple[str, str]] = {
    "ask_information": (
        "The licence is not stated; we cannot judge the rights without it.",
        "Could you tell us which licence the files have?"),
    "refer": (
        "Nobody on the committee knows how to model rainfall series on Wikidata.",
        "We asked the Implementation working group how the data fits Wikidata."),
    "proceed": (
        "Good scores on every criterion; the rights are clear.",
        "The collection fills a gap on the Wikimedia projects and its licence allows the "
        "upload: the request goes on to the final go."),
    "approve": (
        "The upload plan is ready and the helpdesk has room for it.",
        "Approved: the files are freely licensed, well described and useful to the "
        "projects. The helpdesk will support the upload."),
    "decline": (
        "Logos are trademarks, mostly below the threshold of originality; not a "
        "partnership for the Hub.",
        "Logos are trademarks: they are uploaded one by one by the community, not "
        "through a content partnership."),
}


def plan_past_meeting(db: Session, users: dict[str, User]) -> Meeting:
    """Last month's meeting (two weeks ago), planned by its chair with every member."""
    return meetings.create_meeting(db, users[CHAIR], meetings.MeetingFields(
        title="November meeting of the Expert Committee",
        starts_at=_today() - timedelta(days=14), duration_minutes=90, location=LOCATION,
        chair_id=users[CHAIR].id, attendee_ids=[users[name].id for name in MEMBERS]))


def committee_decides(db: Session, case: Case, outcome: str, users: dict[str, User],
                      meeting: Meeting | None) -> None:
    """The committee's decision on the case: at `meeting` (the chair records Carlos's
    vote given aloud, minutes the case, then decides on the attendees' votes), or, with
    no meeting, on the case page from the three members' own votes."""
    members = [users[name] for name in MEMBERS]
    internal, public = RATIONALES[outcome]
    if meeting is None:
        _own_votes(db, case, outcome, members)
        committee.decide(db, case, votes.open_stage(case) or "", members[0], outcome,
                         internal, public, **_referral(db, outcome))
        db.flush()
        return
    chair = users[CHAIR]
    _own_votes(db, case, outcome, [user for user in members if user.username != ALOUD])
    meetings.record_vote_aloud(db, meeting, chair, case, users[ALOUD], outcome,
                               "Agreed, given aloud at the meeting.")
    meetings.save_case_minute(db, meeting, chair, case,
                              "Discussed with the working group's notes at hand.")
    meetings.record_decision(db, meeting, chair, case, outcome=outcome, rationale=internal,
                             public_rationale=public)
    db.flush()


def _own_votes(db: Session, case: Case, outcome: str, members: list[User]) -> None:
    """Each member's own vote before the decision, with a score and a note per criterion
    (varied, so the medians and their spread show something)."""
    stage = votes.open_stage(case) or "initial"
    criteria = votes.active_criteria(db)
    for index, member in enumerate(members):
        scores = {criterion.id: (1 + (case.id + index + position) % 5,
                                 "Checked." if position == 0 else "")
                  for position, criterion in enumerate(criteria)}
        votes.cast_vote(db, case, member, stage, outcome, "Read the request and its samples.",
                        scores)


def _referral(db: Session, outcome: str) -> dict[str, Any]:
    """What a referral names besides its rationale: the groups and the question."""
    if outcome != "refer":
        return {}
    group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == "implementation")).one()
    return {"group_ids": [group.id],
            "question": "Can you help model the rainfall data on Wikidata?"}


def load_meetings_demo(db: Session, users: dict[str, User], past: Meeting) -> None:
    """The rest of last month's meeting (a free topic and the general minutes), and a
    meeting in ten days whose agenda builds itself."""
    chair = users[CHAIR]
    topic = meetings.add_topic(db, past, chair, "Guidelines on AI-generated images")
    meetings.save_topic_minute(db, past, chair, topic,
                               "Mei drafts a guidelines page for the next meeting.")
    meetings.save_notes(db, past, chair, "All three members attended. Carlos joined by "
                        "video and gave his votes aloud. The next meeting is in December.")
    upcoming = meetings.create_meeting(db, chair, meetings.MeetingFields(
        title="December meeting of the Expert Committee",
        starts_at=_today() + timedelta(days=10), duration_minutes=90, location=LOCATION,
        chair_id=chair.id, attendee_ids=[users[name].id for name in MEMBERS]))
    meetings.add_topic(db, upcoming, users["Mei Committee"],
                       "Draft guidelines on AI-generated images")
    db.flush()


def _today() -> datetime:
    return utcnow().replace(hour=15, minute=0, second=0, microsecond=0)
