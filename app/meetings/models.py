"""Committee meetings: when, who attended, the agenda and its minutes; what members were
sent (agendas, calls to vote) and how they want to hear about votes; calendar tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.cases.models import Case
from app.committee.models import Decision
from app.core.models import Base, Timestamp, utcnow


class Meeting(Base):
    """A meeting of the Expert Committee (its time in UTC)."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    starts_at: Mapped[datetime] = mapped_column(Timestamp, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90)
    # Where (a video-call link, say): internal, never on a public page.
    location: Mapped[str] = mapped_column(String(500), default="")
    # General internal minutes (the committee and the helpdesk read them).
    notes: Mapped[str] = mapped_column(Text, default="")
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    chair: Mapped[User | None] = relationship(foreign_keys=[chair_id])


class MeetingAttendee(Base):
    """A committee member who attended (or is expected at) a meeting."""

    __tablename__ = "meeting_attendees"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id", name="uq_meeting_attendees_meeting_member"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    member: Mapped[User] = relationship()


class AgendaItem(Base):
    """A case or a free topic on a meeting's agenda, with its internal minute and the
    decision taken on it there. Cases waiting on the committee join the agenda by
    themselves; a row is kept for a case a member added, or once the meeting minuted
    or decided it."""

    __tablename__ = "meeting_items"
    __table_args__ = (
        UniqueConstraint("meeting_id", "case_id", name="uq_meeting_items_meeting_case"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True,
                                                index=True)
    topic: Mapped[str] = mapped_column(String(255), default="")
    notes: Mapped[str] = mapped_column(Text, default="")  # internal minute
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"), nullable=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    case: Mapped[Case | None] = relationship()
    decision: Mapped[Decision | None] = relationship()
    added_by: Mapped[User | None] = relationship(foreign_keys=[added_by_id])


class AgendaMail(Base):
    """The agenda was put in the outbox for this member (once per meeting)."""

    __tablename__ = "meeting_agenda_mails"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id", name="uq_meeting_agenda_mails_meeting_member"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    sent_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class MemberSettings(Base):
    """A committee member's own settings: how they hear about votes, their calendar
    token (the secret in their feed's address)."""

    __tablename__ = "committee_member_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    vote_mail: Mapped[str] = mapped_column(String(16), default="immediate")  # | digest
    calendar_token: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)


class VoteNotice(Base):
    """A member was (or is to be) told that a case needs their vote, or reminded that it
    waited past its stage target: once per case, member, kind and stage entry."""

    __tablename__ = "vote_notices"
    __table_args__ = (
        UniqueConstraint("case_id", "member_id", "kind", "stage_key",
                         name="uq_vote_notices_case_member_kind_stage"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # needed | reminder
    stage_key: Mapped[str] = mapped_column(String(64))  # the state and when it began
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True, index=True)

    case: Mapped[Case] = relationship()
