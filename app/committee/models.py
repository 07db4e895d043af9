"""The Expert Committee's records on a case: votes (reviews) with criterion scores,
conflicts, decisions; and the criteria members score against."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.models import Base, Timestamp, utcnow


class Review(Base):
    """One member's vote on a case at one stage: an outcome of the stage (kept in
    `recommendation`; older rows hold a RECOMMENDATIONS code), a comment and criterion
    scores. Editable until the decision, which sets `decision_id`; when a case comes
    back to the stage (after the requester answered) the member votes again on the
    same row and `decision_id` is cleared (the decision kept a snapshot)."""

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
    # The chair who recorded a vote given aloud at a meeting (None: the member's own).
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    meeting_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"), nullable=True)

    member: Mapped[User] = relationship(foreign_keys=[member_id])
    scores: Mapped[list[CriterionScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="CriterionScore.id")


class Criterion(Base):
    """What the committee scores a request against (admins keep the list)."""

    __tablename__ = "committee_criteria"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CriterionScore(Base):
    """A member's score (1–5) and note on one criterion in their vote."""

    __tablename__ = "review_scores"
    __table_args__ = (
        UniqueConstraint("review_id", "criterion_id", name="uq_review_scores_review_criterion"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"),
                                           index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("committee_criteria.id"), index=True)
    score: Mapped[int] = mapped_column(SmallInteger)
    note: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="scores")


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
    # Who voted what: [{"member_id", "outcome", "recorded_by_id", "scores": {criterion_id: n}}]
    votes: Mapped[list[dict[str, object]] | None] = mapped_column(JSON, nullable=True)
    quorum: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the quorum applied
    # Why the outcome differs from the majority of the votes (empty when it does not).
    dissent_reason: Mapped[str] = mapped_column(Text, default="")

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
