"""Changes to meetings, their agenda and minutes; decisions and votes given aloud at a
meeting; members' mail (agendas, calls to vote) through the outbox.

Every change is audited in the caller's session; the caller commits.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.roles import roles_of
from app.cases.clock import stage_clock
from app.cases.errors import NotAllowed, WorkflowError, WrongState
from app.cases.models import Case
from app.committee import service as committee_service
from app.committee.models import Decision, Review
from app.core import audit
from app.core.models import utcnow
from app.meetings import queries
from app.meetings.models import (
    AgendaItem,
    AgendaMail,
    Meeting,
    MeetingAttendee,
    MemberSettings,
    VoteNotice,
)
from app.notifications.service import email_user

VOTE_MAIL_CHOICES = ("immediate", "digest")
MAX_NOTES = 20_000


@dataclass(frozen=True)
class MeetingFields:
    """What a meeting's form gives."""

    title: str
    starts_at: datetime
    duration_minutes: int
    location: str
    chair_id: int | None
    attendee_ids: list[int]


def _snapshot(meeting: Meeting, attendee_ids: Iterable[int]) -> dict[str, Any]:
    return {"title": meeting.title, "starts_at": meeting.starts_at.isoformat(),
            "duration_minutes": meeting.duration_minutes, "chair_id": meeting.chair_id,
            "attendees": sorted(attendee_ids)}


def _check_members(db: Session, fields: MeetingFields) -> None:
    members = {user.id for user in queries.committee_members(db)}
    if set(fields.attendee_ids) - members:
        # Translators: a form error on a committee meeting.
        raise WorkflowError(_("Only Expert Committee members attend its meetings."),
                            field="attendees")
    if fields.chair_id is not None and fields.chair_id not in members:
        # Translators: a form error on a committee meeting.
        raise WorkflowError(_("The chair is a member of the Expert Committee."), field="chair")


def _set_attendees(db: Session, meeting: Meeting, wanted: Iterable[int]) -> None:
    rows = db.scalars(select(MeetingAttendee).where(MeetingAttendee.meeting_id == meeting.id))
    current = {row.member_id: row for row in rows}
    wanted_ids = set(wanted)
    for member_id, row in current.items():
        if member_id not in wanted_ids:
            db.delete(row)
    for member_id in sorted(wanted_ids - set(current)):
        db.add(MeetingAttendee(meeting_id=meeting.id, member_id=member_id))


def create_meeting(db: Session, actor: User, fields: MeetingFields) -> Meeting:
    """A new meeting with its attendees (audited)."""
    _check_members(db, fields)
    now = utcnow()
    meeting = Meeting(title=fields.title, starts_at=fields.starts_at,
                      duration_minutes=fields.duration_minutes, location=fields.location,
                      chair_id=fields.chair_id, created_by_id=actor.id, notes="",
                      created_at=now, updated_at=now)
    db.add(meeting)
    db.flush()
    _set_attendees(db, meeting, fields.attendee_ids)
    audit.record(db, actor, "meeting.create", "meeting", meeting.id,
                 after=_snapshot(meeting, fields.attendee_ids))
    return meeting


def edit_meeting(db: Session, meeting: Meeting, actor: User, fields: MeetingFields) -> None:
    """Change a meeting's time, title, place, chair or attendees (audited)."""
    _check_members(db, fields)
    before = _snapshot(meeting, (user.id for user in queries.attendees(db, meeting)))
    meeting.title, meeting.starts_at = fields.title, fields.starts_at
    meeting.duration_minutes, meeting.location = fields.duration_minutes, fields.location
    meeting.chair_id = fields.chair_id
    meeting.updated_at = utcnow()
    _set_attendees(db, meeting, fields.attendee_ids)
    audit.record(db, actor, "meeting.edit", "meeting", meeting.id, before=before,
                 after=_snapshot(meeting, fields.attendee_ids))


def _item_for_case(db: Session, meeting: Meeting, case: Case, actor: User) -> AgendaItem:
    item = db.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id,
                                               AgendaItem.case_id == case.id)).first()
    if item is None:
        item = AgendaItem(meeting_id=meeting.id, case_id=case.id, topic="", notes="",
                          added_by_id=actor.id)
        db.add(item)
        db.flush()
    return item


def add_case(db: Session, meeting: Meeting, actor: User, reference: str) -> AgendaItem:
    """Put a case on the agenda by its reference (audited)."""
    case = db.scalars(select(Case).where(Case.reference == reference.strip().upper())).first()
    if case is None:
        # Translators: a form error; %(ref)s is what the person typed as a case reference.
        raise WorkflowError(_("There is no request %(ref)s.", ref=reference.strip()[:40]),
                            status=422, field="reference")
    exists = db.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting.id,
                                                   AgendaItem.case_id == case.id))
    if exists or case.state in queries.COMMITTEE_STATES:
        # Translators: a form error; %(ref)s is a case reference.
        raise WrongState(_("%(ref)s is already on the agenda.", ref=case.reference),
                         field="reference")
    item = _item_for_case(db, meeting, case, actor)
    audit.record(db, actor, "meeting.add_case", "meeting", meeting.id,
                 after={"case": case.reference, "item": item.id})
    return item


def add_topic(db: Session, meeting: Meeting, actor: User, topic: str) -> AgendaItem:
    """Put a free topic on the agenda (audited)."""
    item = AgendaItem(meeting_id=meeting.id, case_id=None, topic=topic, notes="",
                      added_by_id=actor.id)
    db.add(item)
    db.flush()
    audit.record(db, actor, "meeting.add_topic", "meeting", meeting.id,
                 after={"item": item.id, "topic": topic})
    return item


def save_case_minute(db: Session, meeting: Meeting, actor: User, case: Case,
                     notes: str) -> None:
    """The internal minute of a case discussed at the meeting (audited)."""
    item = _item_for_case(db, meeting, case, actor)
    before = item.notes
    item.notes = notes
    audit.record(db, actor, "meeting.minute", "meeting", meeting.id,
                 before={"case": case.reference, "notes": before},
                 after={"case": case.reference, "notes": notes})


def save_topic_minute(db: Session, meeting: Meeting, actor: User, item: AgendaItem,
                      notes: str) -> None:
    """The internal minute of a free topic (audited)."""
    before = item.notes
    item.notes = notes
    audit.record(db, actor, "meeting.minute", "meeting", meeting.id,
                 before={"item": item.id, "notes": before}, after={"item": item.id,
                                                                     "notes": notes})


def save_notes(db: Session, meeting: Meeting, actor: User, notes: str) -> None:
    """The meeting's general internal minutes (audited)."""
    before = meeting.notes
    meeting.notes = notes
    meeting.updated_at = utcnow()
    audit.record(db, actor, "meeting.notes", "meeting", meeting.id, before={"notes": before},
                 after={"notes": notes})


def may_run(meeting: Meeting, user: User | None) -> bool:
    """The chair runs the meeting; with no chair named, any committee member does."""
    if user is None or "committee" not in roles_of(user):
        return False
    return meeting.chair_id is None or meeting.chair_id == user.id


def _require_runner(meeting: Meeting, user: User) -> None:
    if not may_run(meeting, user):
        # Translators: an error on the page where the chair walks a meeting's agenda.
        raise NotAllowed(_("Only the meeting's chair records decisions and votes given "
                           "aloud."))


def record_decision(db: Session, meeting: Meeting, chair: User, case: Case, *, outcome: str,
                    rationale: str, public_rationale: str, dissent_reason: str = "") -> Decision:
    """A decision taken at the meeting: only the votes of the attendees count towards
    the quorum (votes given aloud are recorded first); the decision joins the meeting's
    minutes."""
    _require_runner(meeting, chair)
    if case.state not in queries.COMMITTEE_STATES:
        # Translators: an error: the case does not wait on a committee decision now;
        # %(ref)s is a case reference.
        raise WrongState(_("%(ref)s is not waiting on a committee decision.",
                           ref=case.reference))
    present = {user.id for user in queries.attendees(db, meeting)}
    voted = queries.tallies(db, [case]).get(case.id)  # recused members' votes left out
    voters = sorted(present & (voted.voter_ids if voted else set()))
    decision = committee_service.decide(
        db, case, queries.stage_of(case.state), chair, outcome, rationale, public_rationale,
        voters=voters, dissent_reason=dissent_reason)
    item = _item_for_case(db, meeting, case, chair)
    item.decision_id = decision.id
    audit.record(db, chair, "meeting.decision", "meeting", meeting.id,
                 after={"case": case.reference, "decision": decision.id, "outcome": outcome})
    return decision


def record_vote_aloud(db: Session, meeting: Meeting, chair: User, case: Case, member: User,
                      outcome: str, comment: str) -> Review:
    """A vote a member gave aloud at the meeting, recorded by the chair (the member can
    correct it on the case page)."""
    _require_runner(meeting, chair)
    if member.id not in {user.id for user in queries.attendees(db, meeting)}:
        # Translators: a form error on the page where the chair walks a meeting's agenda.
        raise WorkflowError(_("Record votes of the members attending only."), field="member")
    review = committee_service.cast_vote(
        db, case, member, queries.stage_of(case.state), outcome, comment, {},
        recorded_by=chair, meeting_id=meeting.id)
    _item_for_case(db, meeting, case, chair)
    return review


# -- members' settings -----------------------------------------------------------

def _settings(db: Session, user: User) -> MemberSettings:
    row = queries.member_settings(db, user)
    if row is None:
        row = MemberSettings(user_id=user.id, vote_mail="immediate", calendar_token=None)
        db.add(row)
        db.flush()
    return row


def set_vote_mail(db: Session, user: User, choice: str) -> bool:
    """How the member hears about votes: at once or a daily digest (audited when it
    changed). False when nothing did."""
    if choice not in VOTE_MAIL_CHOICES:
        raise WorkflowError(_("Choose how you want to hear about votes."), field="vote_mail")
    row = _settings(db, user)
    if row.vote_mail == choice:
        return False
    before, row.vote_mail = row.vote_mail, choice
    audit.record(db, user, "user.vote_mail", "user", user.id, before={"vote_mail": before},
                 after={"vote_mail": choice})
    return True


def calendar_token(db: Session, user: User, renew: bool = False) -> str:
    """The member's calendar token, made on first use; `renew` replaces it (the old
    address stops working), audited without the token."""
    row = _settings(db, user)
    if row.calendar_token is None or renew:
        replaced = row.calendar_token is not None
        row.calendar_token = secrets.token_urlsafe(32)
        audit.record(db, user, "user.calendar_token", "user", user.id,
                     after={"renewed": replaced})
    return row.calendar_token


# -- mail ------------------------------------------------------------------------

def send_agendas(db: Session, now: datetime | None = None, days: float = 3) -> int:
    """Put the agenda of each meeting that begins within `days` in the outbox for every
    committee member, once per meeting and member. Returns how many were queued."""
    now = now or utcnow()
    meetings = queries.meetings_starting_between(db, now, now + timedelta(days=days))
    members = queries.committee_members(db)
    queued = 0
    for meeting in meetings:
        done = set(db.scalars(select(AgendaMail.member_id)
                              .where(AgendaMail.meeting_id == meeting.id)))
        entries = queries.agenda(db, meeting)
        for member in members:
            if member.id in done:
                continue
            db.add(AgendaMail(meeting_id=meeting.id, member_id=member.id, sent_at=now))

            def subject(meeting: Meeting = meeting) -> str:
                # Translators: the subject of the email with a committee meeting's agenda;
                # %(title)s is the meeting's title.
                return _("Agenda: %(title)s", title=meeting.title)

            queued += email_user(db, member, "meeting_agenda", subject,
                               "email/meeting_agenda.txt", meeting=meeting, entries=entries,
                               now=now)
    db.flush()
    return queued


def stage_key(case: Case) -> str:
    """Which entry into a stage a notice is about: the state and when the stage began."""
    return f"{case.state}:{case.stage_started_at.isoformat(timespec='seconds')}"


def plan_vote_notices(db: Session, now: datetime | None = None) -> int:
    """Note, for every case waiting on the committee, each member who has neither voted
    nor declared a conflict: that their vote is needed, and (once) that the case waited
    past its stage target. Idempotent; returns how many notices were new."""
    now = now or utcnow()
    cases = queries.committee_cases(db)
    members = queries.committee_members(db)
    skip = queries.voted(db, cases) | queries.conflicts(db, cases)
    existing = queries.notice_keys(db, cases)
    made = 0
    for case in cases:
        key = stage_key(case)
        overdue = stage_clock(case, now).overdue
        for member in members:
            if (case.id, member.id) in skip:
                continue
            # A case already late when first noticed gets the reminder alone.
            kind = "reminder" if overdue else "needed"
            if (case.id, member.id, kind, key) in existing:
                continue
            db.add(VoteNotice(case_id=case.id, member_id=member.id, kind=kind, stage_key=key,
                              created_at=now))
            made += 1
    db.flush()
    return made


def _still_due(notice: VoteNotice, voted: set[tuple[int, int]]) -> bool:
    case = notice.case
    return (case.state in queries.COMMITTEE_STATES and stage_key(case) == notice.stage_key
            and (case.id, notice.member_id) not in voted)


def send_vote_notices(db: Session, digest: bool, now: datetime | None = None) -> int:
    """Mail the notices not yet sent: one email each to the members who chose to hear at
    once (`digest` False), or one email listing them all to those who chose the daily
    digest (`digest` True). A notice whose case moved on or got the member's vote is
    marked done without mail. Returns the number of emails queued."""
    now = now or utcnow()
    choices = queries.vote_mail_choices(db)
    members = {user.id: user for user in queries.committee_members(db)
               if (choices.get(user.id, "immediate") == "digest") == digest}
    notices = queries.unsent_notices(db, sorted(members))
    voted = queries.voted(db, list({n.case_id: n.case for n in notices}.values()))
    queued = 0
    waiting: dict[int, list[VoteNotice]] = {}
    for notice in notices:
        notice.sent_at = now
        if _still_due(notice, voted):
            waiting.setdefault(notice.member_id, []).append(notice)
    for member_id, due in waiting.items():
        member = members[member_id]
        if digest:
            queued += email_user(db, member, "vote_digest", _digest_subject,
                               "email/vote_digest.txt", notices=due, now=now)
            continue
        for notice in due:
            queued += email_user(db, member, f"vote_{notice.kind}",
                               _vote_subject(notice), "email/vote_notice.txt",
                               notice=notice, case=notice.case, case_id=notice.case_id,
                               clock=stage_clock(notice.case, now))
    db.flush()
    return queued


def _digest_subject() -> str:
    # Translators: the subject of the daily email listing the cases that wait for a committee
    # member's vote.
    return _("Cases waiting for your vote")


def _vote_subject(notice: VoteNotice) -> Any:
    def subject() -> str:
        if notice.kind == "reminder":
            # Translators: the subject of an email to a committee member; %(ref)s is a case
            # reference like CPH-2026-0042.
            return _("Reminder: %(ref)s is past its target and waits for your vote",
                     ref=notice.case.reference)
        # Translators: the subject of an email to a committee member; %(ref)s is a case
        # reference like CPH-2026-0042.
        return _("%(ref)s needs your vote", ref=notice.case.reference)
    return subject


def vote_mail_of(db: Session, user: User) -> str:
    """How the member chose to hear about votes (at once unless they chose the digest)."""
    row = queries.member_settings(db, user)
    return row.vote_mail if row is not None else "immediate"
