"""The daily runs: check open cases, follow up the impact of finished ones. Each case is
committed on its own, so one wiki failure loses nothing already done."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.cases.models import Case
from app.core.models import utcnow
from app.wikicheck import queries, service
from app.wikicheck.service import WikiSettings, WikiUnreachable
from app.wikicheck.wiki import WikiDown

log = logging.getLogger(__name__)


@dataclass
class Report:
    """What one run did."""

    checked: int = 0
    started: int = 0
    taken: int = 0
    failed: int = 0
    requests: int = 0


def check_open_cases(db: Session, settings: WikiSettings) -> Report:
    """Check each open case that names a category or an item."""
    report = Report()
    for row in queries.rows_to_check(db):
        case = db.get(Case, row.case_id)
        if case is None:
            continue
        try:
            _row, cost = service.check_case(db, case, None, settings)
        except WikiUnreachable:
            db.rollback()
            report.failed += 1
            continue
        db.commit()
        report.checked += 1
        report.requests += cost
    return report


def follow_up(db: Session, settings: WikiSettings, now: datetime | None = None) -> Report:
    """Start the follow-ups due, then take each case's due snapshots."""
    now = now or utcnow()
    report = Report(started=service.start_followups(db, now))
    db.commit()
    for row in queries.followed_rows(db):
        try:
            made, cost = service.take_snapshots(db, row, settings, now)
        except WikiDown as error:
            db.rollback()
            log.warning("impact snapshot of case %s: %s (the next run tries again)",
                        row.case_id, error)
            report.failed += 1
            continue
        db.commit()
        report.taken += len(made)
        report.requests += cost
    return report
