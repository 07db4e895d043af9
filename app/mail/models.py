"""What the mailbox job read: each message once, its attachments, the bounces it reported.

Bodies, headers and attachments are private like a request's description: staff see them
(and the requester their own attachments); nothing here is ever in the public projection.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, Timestamp, utcnow

# Up to 16 MiB on MariaDB (its TEXT holds 64 KiB); the texts are capped well below.
LongText = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")

# What became of a message (IncomingMail.outcome).
NEW_REQUEST = "new_request"  # opened a request
REPLY = "reply"  # appended to its case as the requester's message
ANSWER = "answer"  # a reply that answered the committee's questions (needs_information)
AUTO_REPLY = "auto_reply"  # vacation notice, list or bulk mail: stored, never answered
BOUNCE = "bounce"  # a delivery report about a message the tool sent
OWN = "own"  # sent from the tool's own address: ignored
HELD = "held"  # over the sender's hourly limit: kept for the helpdesk to release
TOO_LARGE = "too_large"  # over MAIL_MAX_MESSAGE_BYTES: refused with a polite reply
DISCARDED = "discarded"  # a held message the helpdesk threw away
OUTCOMES = (NEW_REQUEST, REPLY, ANSWER, AUTO_REPLY, BOUNCE, OWN, HELD, TOO_LARGE, DISCARDED)


class IncomingMail(Base):
    """One message read from the helpdesk mailbox (stored once, by its key)."""

    __tablename__ = "mail_incoming"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The Message-ID without its angle brackets, or "sha256:…" of the headers and body of
    # a message without one: the same message read twice has the same key.
    message_key: Mapped[str] = mapped_column(String(255), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)
    received_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    from_address: Mapped[str] = mapped_column(String(255), default="", index=True)
    from_name: Mapped[str] = mapped_column(String(255), default="")
    subject: Mapped[str] = mapped_column(String(255), default="")
    language: Mapped[str] = mapped_column(String(20), default="en")
    size: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(24), index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True,
                                                index=True)
    case_message_id: Mapped[int | None] = mapped_column(ForeignKey("case_messages.id"),
                                                        nullable=True)
    headers: Mapped[str] = mapped_column(LongText, default="")  # as received
    body: Mapped[str] = mapped_column(LongText, default="")  # the whole text, quotes kept
    # A held message is kept whole on disk (under ATTACHMENTS_DIR) until it is released.
    raw_name: Mapped[str | None] = mapped_column(String(80), nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(Timestamp, nullable=True)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    attachments: Mapped[list[MailAttachment]] = relationship(
        back_populates="mail", order_by="MailAttachment.id")


class MailAttachment(Base):
    """A file that came with a message: kept privately on disk, or only listed."""

    __tablename__ = "mail_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mail_id: Mapped[int] = mapped_column(ForeignKey("mail_incoming.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True,
                                                index=True)
    filename: Mapped[str] = mapped_column(String(255))  # sanitised
    content_type: Mapped[str] = mapped_column(String(127), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    kept: Mapped[bool] = mapped_column(Boolean, default=True)
    refused: Mapped[str] = mapped_column(String(32), default="")  # too_large | type
    storage_name: Mapped[str | None] = mapped_column(String(80), nullable=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    mail: Mapped[IncomingMail] = relationship(back_populates="attachments")


class MailBounce(Base):
    """A delivery report: a message the tool sent did not reach an address."""

    __tablename__ = "mail_bounces"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(255), index=True)  # lower case
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), nullable=True,
                                                  index=True)
    mail_id: Mapped[int] = mapped_column(ForeignKey("mail_incoming.id"), index=True)
    action: Mapped[str] = mapped_column(String(16), default="failed")
    status: Mapped[str] = mapped_column(String(16), default="")
    diagnostic: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, index=True)
