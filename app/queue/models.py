"""The support queue: approved cases in the order the committee ranks them.

A case is in the queue exactly while it is `approved`: the flush hook below adds a case
that enters the state at the end of the queue and takes out one that leaves it, whoever
moved it (a person, the committee's decision, a test), so no workflow code has to
remember the queue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, event, func, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.cases.models import Case
from app.core.models import Base, Timestamp, utcnow

QUEUED_STATE = "approved"


class QueueEntry(Base):
    """An approved case's place in the support queue (smaller `position` first)."""

    __tablename__ = "support_queue"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, index=True)
    added_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    case: Mapped[Case] = relationship()


def _state_change(case: Case) -> tuple[bool, bool]:
    """(entered the queued state, left it) in this flush."""
    history = inspect(case).attrs.state.history
    if not history.has_changes():
        return False, False
    old = history.deleted[0] if history.deleted else None
    new = history.added[0] if history.added else case.state
    return new == QUEUED_STATE and old != QUEUED_STATE, old == QUEUED_STATE != new


@event.listens_for(Session, "before_flush")
def _follow_approved_cases(session: Session, _context: Any, _instances: Any) -> None:
    """Queue cases that became approved (at the end); drop those that left the state."""
    entering: list[Case] = []
    leaving: list[Case] = []
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Case):
            entered, left = _state_change(obj)
            if entered:
                entering.append(obj)
            elif left and obj.id is not None:
                leaving.append(obj)
    if not entering and not leaving:
        return
    with session.no_autoflush:
        for case in leaving:
            entry = session.get(QueueEntry, case.id)
            if entry is not None:
                session.delete(entry)
        if entering:
            last = session.scalar(select(func.max(QueueEntry.position))) or 0
            for offset, case in enumerate(entering, start=1):
                if case.id is not None and session.get(QueueEntry, case.id) is not None:
                    continue
                session.add(QueueEntry(case=case, position=last + offset))
