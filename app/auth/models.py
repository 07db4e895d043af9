"""Users, keyed by the central (SUL) user id from OAuth identify."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, Timestamp, utcnow


class User(Base):
    """A person who signed in with a Wikimedia account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    central_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    username: Mapped[str] = mapped_column(String(255), index=True)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str | None] = mapped_column(String(20), nullable=True)
    email: Mapped[str | None] = mapped_column(String(255), nullable=True)  # private
    # The mail server's answer when it last refused `email` for good (a 5xx); cleared when
    # mail to it is accepted again or the address changes (app/notifications/).
    email_failing: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # What the person says about themselves on the preferences page: the committee page
    # shows its members', "filling the gaps" counts working-group members' countries.
    country: Mapped[str | None] = mapped_column(String(8), nullable=True)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="RoleGrant.user_id"
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username!r}>"


class RoleGrant(Base):
    """A role given to a user by an admin (or the command line)."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", name="uq_role_grants_user_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    granted_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])


class UserSession(Base):
    """One signed-in session (every copy of its cookie): live until `ended_at` is set.

    Only a SHA-256 of the session id is stored, so the table cannot be used to forge a
    cookie. `end_reason` is one of END_REASONS; on a live record, "role_changed" means
    the user's roles changed and the next request with this session id renews it.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)

    def __repr__(self) -> str:
        return f"<UserSession {self.id} of user {self.user_id}>"


# Why a session ended (kept in `UserSession.end_reason`).
END_REASONS = ("signed_out", "signed_out_everywhere", "blocked", "role_changed", "expired")
