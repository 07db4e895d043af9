"""Per person and case: when they last opened it and whether they watch it; and the
filters people saved on the staff dashboards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.models import Base, Timestamp, utcnow


class CaseMark(Base):
    """One person's marks on one case.

    `seen_at`: when they last opened the case page (a case that changed since, in a
    way they may see, is unread for them). `watching`: True when they chose to watch,
    False when they chose not to, None for the default (people on the case — the
    requester, the assignee, members who reviewed it — watch it).
    """

    __tablename__ = "case_marks"
    __table_args__ = (UniqueConstraint("user_id", "case_id", name="uq_case_marks_user_case"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seen_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    watching: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class SavedView(Base):
    """A named set of dashboard filters (the query string), one person's."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_views_user_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    query: Mapped[str] = mapped_column(String(1000), default="")
    uses: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
