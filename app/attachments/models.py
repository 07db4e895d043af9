"""A file added to a case: with the request, or with a message.

Private like the request's description: the people who may see the case see its files,
except those of internal notes, which only staff see. Never public, never in the API,
the feed or on the wiki. The bytes are on disk (app/core/storage.py); this row names them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.models import Base, Timestamp, utcnow


class Attachment(Base):
    """One uploaded file of a case."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # The message it came with (None: added with the request when it was filed).
    message_id: Mapped[int | None] = mapped_column(ForeignKey("case_messages.id"),
                                                   nullable=True, index=True)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)  # of an internal note
    filename: Mapped[str] = mapped_column(String(255))  # sanitised
    content_type: Mapped[str] = mapped_column(String(127), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    storage_name: Mapped[str] = mapped_column(String(80))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()
