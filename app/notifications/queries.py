"""Reads about mail: what could not be delivered, and which addresses fail."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from app.cases.models import Case
from app.notifications.models import FailingAddress, OutboxMessage


def _given_up(max_attempts: int) -> ColumnElement[bool]:
    return and_(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts >= max_attempts)


def undelivered(db: Session, max_attempts: int,
                limit: int = 200) -> list[tuple[OutboxMessage, str | None]]:
    """Messages delivery gave up on, with their case's reference; last tried first."""
    rows = db.execute(
        select(OutboxMessage, Case.reference)
        .outerjoin(Case, Case.id == OutboxMessage.case_id)
        .where(_given_up(max_attempts))
        .order_by(OutboxMessage.next_attempt_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    )
    return [(message, reference) for message, reference in rows]


def undelivered_count(db: Session, max_attempts: int) -> int:
    """How many messages delivery gave up on."""
    count = db.scalar(select(func.count(OutboxMessage.id)).where(_given_up(max_attempts)))
    return int(count or 0)


def undelivered_message(db: Session, row_id: int,
                        max_attempts: int) -> OutboxMessage | None:
    """One message delivery gave up on (None if there is no such row, or it is not)."""
    return db.scalar(select(OutboxMessage)
                     .where(OutboxMessage.id == row_id, _given_up(max_attempts)))


def failing(db: Session, addresses: Iterable[str | None]) -> list[FailingAddress]:
    """Which of `addresses` the mail server last refused for good."""
    wanted = sorted({address.strip().lower() for address in addresses if address})
    if not wanted:
        return []
    return list(db.scalars(select(FailingAddress).where(FailingAddress.address.in_(wanted))
                           .order_by(FailingAddress.address)))
