"""The scheduled sweep: remind requesters who were asked for information, and close
requests that never got an answer (both audited). Run by `flask --app app cases sweep`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cases.models import Case
from app.cases.service import move
from app.cases.transitions import SYSTEM
from app.core import audit
from app.core.models import utcnow
from app.notifications import service as notify


@dataclass
class SweepResult:
    """References of the cases reminded and closed."""

    reminded: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


def sweep(db: Session, now: datetime | None = None) -> SweepResult:
    """Remind after REMIND_AFTER_DAYS, close as withdrawn after EXPIRE_AFTER_DAYS."""
    now = now or utcnow()
    remind_after = timedelta(days=float(current_app.config["REMIND_AFTER_DAYS"]))
    expire_after = timedelta(days=float(current_app.config["EXPIRE_AFTER_DAYS"]))
    result = SweepResult()
    waiting = db.scalars(select(Case).where(Case.state == "needs_information")
                         .order_by(Case.id)).all()
    for case in waiting:
        waited = now - case.state_changed_at
        if waited >= expire_after:
            move(db, case, None, {SYSTEM}, "expire",
                 message=None, outcome="no_answer")
            result.closed.append(case.reference)
        elif waited >= remind_after and case.reminded_at is None:
            case.reminded_at = now
            audit.record(db, None, "case.remind", "case", case.id,
                         after={"waited_days": waited.days})
            notify.reminder(db, case)
            result.reminded.append(case.reference)
    return result
