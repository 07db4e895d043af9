"""What the wikis said about a case: its Commons category and Wikidata item, the last
verification of its checklist steps, and the impact snapshots taken after the upload."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, Timestamp, utcnow


class CaseWiki(Base):
    """One case's places on the wikis and what was last verified there.

    `checks` maps a step ("category", "licence", "test_batch", "organisation") to the
    result of its last check: {"status": passed|failed|overridden, "code", "count",
    "needed", "url", "checked_at", and for an override "reason", "by"}. It is kept on this
    row (not a table of its own) so that the case page reads the whole panel in one
    statement with the snapshots.
    """

    __tablename__ = "case_wiki"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    commons_category: Mapped[str] = mapped_column(String(255), default="")
    wikidata_item: Mapped[str] = mapped_column(String(32), default="")
    checks: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    checked_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    # When the case reached "upload done" or closed with a category: day 0 of the follow-up.
    impact_started_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True,
                                                               index=True)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


class ImpactSnapshot(Base):
    """The figures of a case's Commons category on one follow-up day (0, 30, 90, 365)."""

    __tablename__ = "impact_snapshots"
    __table_args__ = (UniqueConstraint("case_id", "day", name="uq_impact_snapshots_case_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    day: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    files: Mapped[int] = mapped_column(Integer, default=0)
    # More files than IMPACT_FILE_CAP: `files` is the cap, shown as "10,000+".
    files_capped: Mapped[bool] = mapped_column(Boolean, default=False)
    files_in_use: Mapped[int] = mapped_column(Integer, default=0)
    wikis: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    # Views in the 30 days before the snapshot of the pages using the files (at most
    # IMPACT_VIEWS_MAX_PAGES pages are asked; `views_capped` when there were more).
    views: Mapped[int] = mapped_column(Integer, default=0)
    views_capped: Mapped[bool] = mapped_column(Boolean, default=False)


class ImpactMailOptOut(Base):
    """A person who asked (in Preferences) not to get the impact emails of their requests."""

    __tablename__ = "impact_mail_optouts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
