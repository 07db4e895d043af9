"""Reading the support queue: its order, each case's place in line, the capacity used,
and the committee's scores the queue can be ordered by."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cases.models import Case
from app.committee.models import CriterionScore, Review
from app.queue.models import QUEUED_STATE, QueueEntry

IN_SUPPORT = "in_support"


def _ordered() -> Any:
    """The queue's order: position, then who joined first (positions tie only when two
    cases were approved at the same moment)."""
    return (QueueEntry.position.asc(), QueueEntry.added_at.asc(), QueueEntry.case_id.asc())


def queued_cases(db: Session) -> list[Case]:
    """The approved cases, first in line first (one statement, organisations joined)."""
    return list(db.scalars(select(Case).join(QueueEntry, QueueEntry.case_id == Case.id)
                           .where(Case.state == QUEUED_STATE).order_by(*_ordered())))


def queue_order(db: Session) -> list[int]:
    """The ids of the queued cases, first in line first."""
    return list(db.scalars(select(QueueEntry.case_id)
                           .join(Case, Case.id == QueueEntry.case_id)
                           .where(Case.state == QUEUED_STATE).order_by(*_ordered())))


def places(db: Session) -> dict[int, int]:
    """Each queued case's place in line (1 = next to be supported), in one statement."""
    return {case_id: place for place, case_id in enumerate(queue_order(db), start=1)}


def place_of(db: Session, case_id: int, state: str) -> int | None:
    """One case's place in line; None (and no statement) when it is not approved."""
    if state != QUEUED_STATE:
        return None
    return places(db).get(case_id)


def places_of(db: Session, cases: Iterable[Any]) -> dict[int, int]:
    """The places in line of those of `cases` (anything with `id` and `state`) that
    are approved: one statement if any is, none otherwise."""
    if not any(case.state == QUEUED_STATE for case in cases):
        return {}
    return places(db)


def in_support_count(db: Session) -> int:
    """How many cases the helpdesk supports now (against SUPPORT_CAPACITY)."""
    return db.scalar(select(func.count(Case.id)).where(Case.state == IN_SUPPORT)) or 0


def median_scores(db: Session, case_ids: list[int]) -> dict[int, float]:
    """The median of the committee's criterion scores (every member's vote, every
    criterion) on each of these cases that has any, in one statement."""
    if not case_ids:
        return {}
    rows = db.execute(select(Review.case_id, CriterionScore.score)
                      .join(CriterionScore, CriterionScore.review_id == Review.id)
                      .where(Review.case_id.in_(case_ids)))
    found: dict[int, list[int]] = {}
    for case_id, score in rows:
        if score is not None:
            found.setdefault(case_id, []).append(int(score))
    return {case_id: float(median(scores)) for case_id, scores in found.items()}


@dataclass(frozen=True)
class QueueRow:
    """One case as the queue page lists it."""

    place: int
    case: Case
    score: float | None


def queue_rows(db: Session) -> list[QueueRow]:
    """The queue page's rows: place, case and median score (two statements)."""
    cases = queued_cases(db)
    scores = median_scores(db, [case.id for case in cases])
    return [QueueRow(place, case, scores.get(case.id))
            for place, case in enumerate(cases, start=1)]
