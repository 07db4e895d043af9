"""A person's request for a role, answered by an administrator."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.models import Base, Timestamp, utcnow


class RoleRequest(Base):
    """Someone asks for a role (helpdesk or committee) with a reason; an administrator
    approves it (the role is granted) or declines it with an answer; or they withdraw it."""

    __tablename__ = "role_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")  # admins and the person only
    # pending | approved | declined | withdrawn
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    answer: Mapped[str] = mapped_column(Text, default="")  # the administrator's, to the person
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
