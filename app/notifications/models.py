"""The notification outbox: rows written with the change, delivered by a worker."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from app.auth.models import User
from app.cases.models import Case
from app.core.models import Base, Timestamp, utcnow


class OutboxMessage(Base):
    """An email waiting to be sent (or sent)."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    to_address: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(20), default="en")
    kind: Mapped[str] = mapped_column(String(64))
    # The public message the email carries: delivery attaches that message's files.
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_messages.id", ondelete="SET NULL"), nullable=True)
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True, index=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # The delivery run sending it (app/notifications/delivery.py), until its lease ends: a
    # second run skips it, and the rows of a run that crashed are taken up again later.
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)


class FailingAddress(Base):
    """An address the mail server refused for good (a 5xx answer) when last tried.

    Kept by address, so it names the person and the case whose address it is; the row
    goes when mail to the address is accepted again, and a changed address has none.
    """

    __tablename__ = "mail_failing_addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(255), unique=True)  # lower case
    error: Mapped[str] = mapped_column(String(300), default="")
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"),
                                                  nullable=True)
    failed_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)


@event.listens_for(User.email, "set")
def _user_address_changed(target: User, value: Any, old: Any, _initiator: Any) -> None:
    """A new address has not failed (the mark was about the old one)."""
    if value != old:
        target.email_failing = None


@event.listens_for(Case.contact_email, "set")
def _case_address_changed(target: Case, value: Any, old: Any, _initiator: Any) -> None:
    if value != old:
        target.contact_email_failing = None
