"""The Expert Committee's records on a case: reviews, conflicts, decisions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.models import Base, Timestamp, utcnow


class Review(Base):
    """One member's recommendation on a case at one stage."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("case_id", "member_id", "stage", name="uq_reviews_case_member_stage"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    stage: Mapped[str] = mapped_column(String(16))  # initial | final
    recommendation: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    member: Mapped[User] = relationship()


class ConflictOfInterest(Base):
    """A member's declaration that they have a conflict of interest on a case."""

    __tablename__ = "conflicts_of_interest"
    __table_args__ = (
        UniqueConstraint("case_id", "member_id", name="uq_conflicts_of_interest_case_member"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    member: Mapped[User] = relationship()


class Decision(Base):
    """A committee decision: stage, outcome, rationale, who took part, who recused."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(32))
    rationale: Mapped[str] = mapped_column(Text, default="")  # internal
    public_rationale: Mapped[str] = mapped_column(Text, default="")
    participant_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    recused_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    recorded_by: Mapped[User | None] = relationship()


class Guideline(Base):
    """A guidelines page written by the committee (Markdown), with its revisions."""

    __tablename__ = "guidelines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text, default="")  # the current revision's text
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class GuidelineRevision(Base):
    """One saved version of a guidelines page."""

    __tablename__ = "guideline_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    guideline_id: Mapped[int] = mapped_column(ForeignKey("guidelines.id"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(String(500), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    author: Mapped[User | None] = relationship()
