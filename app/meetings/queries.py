"""What the meeting pages, the calendar, the API and the jobs read."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.auth.models import User
from app.auth.roles import users_with_role
from app.cases.clock import StageClock, stage_clock
from app.cases.models import Case
from app.cases.transitions import TRANSITIONS
from app.committee.models import ConflictOfInterest, Criterion, CriterionScore, Decision, Review
from app.core.db import as_id
from app.core.models import utcnow
from app.meetings.models import AgendaItem, Meeting, MeetingAttendee, MemberSettings, VoteNotice
from app.public.projection import PRIVATE_RATIONALES, is_public_clause, project

# The states in which a case waits on the committee: its initial feedback and final go.
COMMITTEE_STATES = frozenset(t.state for t in TRANSITIONS if t.decision_stage)


def stage_of(state: str) -> str:
    """The committee stage a state belongs to (initial feedback or final go)."""
    return next((t.decision_stage for t in TRANSITIONS
                 if t.state == state and t.decision_stage), None) or "initial"


@dataclass
class Tally:
    """The votes cast so far on a case's current stage, and the mean criterion scores."""

    votes: Counter[str] = field(default_factory=Counter)
    voter_ids: set[int] = field(default_factory=set)
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """How many members voted."""
        return len(self.voter_ids)


@dataclass
class AgendaEntry:
    """One line of the agenda: a case (with its clock and tally) or a free topic."""

    item: AgendaItem | None
    case: Case | None
    clock: StageClock | None
    tally: Tally | None
    automatic: bool

    @property
    def topic(self) -> str:
        """The free topic's text ('' for a case)."""
        return self.item.topic if self.item and self.case is None else ""


def meeting_by_id(db: Session, meeting_id: int) -> Meeting | None:
    """One meeting, with its chair."""
    return db.scalars(select(Meeting).options(joinedload(Meeting.chair))
                      .where(Meeting.id == meeting_id)).first()


def all_meetings(db: Session) -> list[Meeting]:
    """Every meeting, the latest first."""
    return list(db.scalars(select(Meeting).order_by(Meeting.starts_at.desc(), Meeting.id.desc())))


def attendees(db: Session, meeting: Meeting) -> list[User]:
    """Who attends the meeting, by username."""
    users = db.scalars(select(User).join(MeetingAttendee, MeetingAttendee.member_id == User.id)
                       .where(MeetingAttendee.meeting_id == meeting.id))
    return sorted(users, key=lambda user: user.username.casefold())


def committee_members(db: Session) -> list[User]:
    """Everyone on the committee, by username."""
    return sorted(users_with_role(db, "committee"), key=lambda user: user.username.casefold())


def committee_cases(db: Session) -> list[Case]:
    """Open cases waiting on the committee, the longest waiting first."""
    cases = list(db.scalars(select(Case).where(Case.state.in_(sorted(COMMITTEE_STATES)))))
    now = utcnow()
    return sorted(cases, key=lambda case: (-stage_clock(case, now).elapsed_seconds, case.id))


def tallies(db: Session, cases: list[Case]) -> dict[int, Tally]:
    """The votes not yet taken into a decision on each case's current stage, and the mean
    of each criterion's scores in them (three statements, whatever the number of cases).
    A vote cast before its member declared a conflict of interest does not count."""
    stages = {case.id: stage_of(case.state) for case in cases if case.state in COMMITTEE_STATES}
    found: dict[int, Tally] = defaultdict(Tally)
    if not stages:
        return found
    recused = conflicts(db, [case for case in cases if case.id in stages])
    rows = db.execute(select(Review.id, Review.case_id, Review.stage, Review.member_id,
                             Review.recommendation)
                      .where(Review.case_id.in_(list(stages)), Review.decision_id.is_(None)))
    counted: set[int] = set()
    for review_id, case_id, stage, member_id, outcome in rows:
        if stages.get(case_id) == stage and (case_id, member_id) not in recused:
            found[case_id].votes[outcome] += 1
            found[case_id].voter_ids.add(member_id)
            counted.add(review_id)
    if counted:
        scores = db.execute(
            select(Review.case_id, Criterion.name, func.avg(CriterionScore.score))
            .join(CriterionScore, CriterionScore.review_id == Review.id)
            .join(Criterion, Criterion.id == CriterionScore.criterion_id)
            .where(Review.id.in_(sorted(counted)))
            .group_by(Review.case_id, Criterion.id, Criterion.name, Criterion.position)
            .order_by(Criterion.position, Criterion.id))
        for case_id, name, mean in scores:
            found[case_id].scores[name] = round(float(mean), 1)
    return found


def recused_case_ids(db: Session, member: User) -> set[int]:
    """The cases on which the member declared a conflict of interest."""
    return set(db.scalars(select(ConflictOfInterest.case_id)
                          .where(ConflictOfInterest.member_id == member.id)))


def items(db: Session, meeting: Meeting) -> list[AgendaItem]:
    """The meeting's stored items (cases added or minuted, free topics), in order."""
    return list(db.scalars(
        select(AgendaItem).options(selectinload(AgendaItem.case), joinedload(AgendaItem.decision))
        .where(AgendaItem.meeting_id == meeting.id).order_by(AgendaItem.id)))


def agenda(db: Session, meeting: Meeting, with_live: bool = True) -> list[AgendaEntry]:
    """The agenda: the cases waiting on the committee (longest waiting first), then the
    cases and topics members added. `with_live` False gives only what was stored (the
    minutes of a past meeting)."""
    stored = items(db, meeting)
    by_case = {item.case_id: item for item in stored if item.case_id is not None}
    live = committee_cases(db) if with_live else []
    live_ids = {case.id for case in live}
    now = utcnow()
    cases = live + [item.case for item in stored
                    if item.case is not None and item.case_id not in live_ids]
    counts = tallies(db, cases)
    entries = [AgendaEntry(by_case.get(case.id), case, stage_clock(case, now),
                           counts.get(case.id, Tally()), automatic=True) for case in live]
    for item in stored:
        if item.case_id in live_ids:
            continue
        case = item.case
        entries.append(AgendaEntry(item, case, stage_clock(case, now) if case else None,
                                   counts.get(case.id, Tally()) if case else None,
                                   automatic=False))
    return entries


def member_settings(db: Session, user: User) -> MemberSettings | None:
    """The member's own settings row, if they have one."""
    return db.scalars(select(MemberSettings).where(MemberSettings.user_id == user.id)).first()


def member_by_calendar_token(db: Session, token: str) -> User | None:
    """The committee member whose calendar address holds `token` (None if nobody's)."""
    if not token or len(token) > 64:
        return None
    return db.scalars(select(User).join(MemberSettings, MemberSettings.user_id == User.id)
                      .where(MemberSettings.calendar_token == token)).first()


def calendar_cases(db: Session, meetings: list[Meeting]) -> dict[int, list[tuple[str, str]]]:
    """Each meeting's stored cases as (reference, title): what the calendar names."""
    if not meetings:
        return {}
    rows = db.execute(select(AgendaItem.meeting_id, Case.reference, Case.title)
                      .join(Case, Case.id == AgendaItem.case_id)
                      .where(AgendaItem.meeting_id.in_([m.id for m in meetings]))
                      .order_by(AgendaItem.id))
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for meeting_id, reference, title in rows:
        found[meeting_id].append((reference, title))
    return found


def public_minutes(db: Session, meeting: Meeting, base_url: str) -> list[dict[str, Any]]:
    """The decisions taken at the meeting on cases of the public projection, with their
    public rationale only (a question put to the requester is no public rationale): the
    public projection of the case, the stage and outcome, and that rationale."""
    rows = db.execute(
        select(Case, Decision.stage, Decision.outcome, Decision.public_rationale)
        .join(AgendaItem, AgendaItem.case_id == Case.id)
        .join(Decision, Decision.id == AgendaItem.decision_id)
        .where(AgendaItem.meeting_id == meeting.id, is_public_clause())
        .options(joinedload(Case.organisation))
        .order_by(AgendaItem.id))
    now = utcnow()
    return [{"case": project(case, base_url, now), "stage": stage, "outcome": outcome,
             "public_rationale": "" if outcome in PRIVATE_RATIONALES else (rationale or "")}
            for case, stage, outcome, rationale in rows]


def is_held(meeting: Meeting, now: datetime | None = None) -> bool:
    """Has the meeting begun (so its minutes may exist)?"""
    return meeting.starts_at <= (now or utcnow())


# -- the jobs ------------------------------------------------------------------

def meetings_starting_between(db: Session, start: datetime, end: datetime) -> list[Meeting]:
    """Meetings that begin in [start, end)."""
    return list(db.scalars(select(Meeting).where(Meeting.starts_at >= start,
                                                 Meeting.starts_at < end)
                           .order_by(Meeting.starts_at)))


def vote_mail_choices(db: Session) -> dict[int, str]:
    """Each member's choice of how they hear about votes (members without a row: at once)."""
    rows = db.execute(select(MemberSettings.user_id, MemberSettings.vote_mail))
    return {row.user_id: row.vote_mail for row in rows}


def voted(db: Session, cases: list[Case]) -> set[tuple[int, int]]:
    """(case id, member id) of the votes cast on each case's current stage."""
    return {(case_id, member_id) for case_id, tally in tallies(db, cases).items()
            for member_id in tally.voter_ids}


def conflicts(db: Session, cases: list[Case]) -> set[tuple[int, int]]:
    """(case id, member id) of the conflicts of interest declared on these cases."""
    if not cases:
        return set()
    rows = db.execute(select(ConflictOfInterest.case_id, ConflictOfInterest.member_id)
                      .where(ConflictOfInterest.case_id.in_([c.id for c in cases])))
    return {(case_id, member_id) for case_id, member_id in rows}


def notice_keys(db: Session, cases: list[Case]) -> set[tuple[int, int, str, str]]:
    """(case, member, kind, stage key) of the vote notices already made for these cases."""
    if not cases:
        return set()
    rows = db.execute(select(VoteNotice.case_id, VoteNotice.member_id, VoteNotice.kind,
                             VoteNotice.stage_key)
                      .where(VoteNotice.case_id.in_([c.id for c in cases])))
    return {(case_id, member_id, kind, key) for case_id, member_id, kind, key in rows}


def unsent_notices(db: Session, member_ids: list[int]) -> list[VoteNotice]:
    """Notices not yet mailed to these members, oldest first."""
    if not member_ids:
        return []
    return list(db.scalars(select(VoteNotice).options(joinedload(VoteNotice.case))
                           .where(VoteNotice.sent_at.is_(None),
                                  VoteNotice.member_id.in_(member_ids))
                           .order_by(VoteNotice.id)))


# -- the public minutes: the public page, the API and the bot read these -------------

def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def public_meeting(db: Session, meeting: Meeting, base_url: str,
                   now: datetime | None = None) -> dict[str, Any]:
    """A meeting as the public sees it: title, time, who attended (committee members,
    whose roster is public) and, once held, the public minutes. Not its place, notes,
    free topics or internal minutes."""
    held = is_held(meeting, now)
    return {
        "id": meeting.id,
        "title": meeting.title,
        "starts_at": _iso(meeting.starts_at),
        "duration_minutes": meeting.duration_minutes,
        "held": held,
        "attendees": [user.username for user in attendees(db, meeting)],
        "decisions": public_minutes(db, meeting, base_url) if held else [],
        "url": f"{base_url.rstrip('/')}/meetings/{meeting.id}",
    }


def public_meetings(db: Session, base_url: str) -> list[dict[str, Any]]:
    """Every meeting, the latest first, without their minutes (one statement)."""
    now = utcnow()
    return [{"id": meeting.id, "title": meeting.title, "starts_at": _iso(meeting.starts_at),
             "duration_minutes": meeting.duration_minutes, "held": is_held(meeting, now),
             "url": f"{base_url.rstrip('/')}/meetings/{meeting.id}"}
            for meeting in all_meetings(db)]


def case_by_reference(db: Session, reference: str) -> Case | None:
    """A case by its reference."""
    return db.scalars(select(Case).where(Case.reference == reference)).first()


def user_by_id(db: Session, value: str) -> User | None:
    """A user by the id a form sent (None for anything else)."""
    found = as_id(value)
    return db.get(User, found) if found is not None else None
