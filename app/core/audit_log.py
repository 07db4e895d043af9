"""The append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.auth.models import User
from app.core.models import Base, Timestamp, utcnow


class AuditEvent(Base):
    """One change: who did what to which object, before and after."""

    __tablename__ = "audit_events"
    # An object's history (a case's timeline) without scanning the whole log.
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)

    actor: Mapped[User | None] = relationship()


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit event."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (
            obj in session.deleted or session.is_modified(obj, include_collections=False)
        ):
            raise AuditLogIsAppendOnly("Audit events can be added, never changed or deleted.")
