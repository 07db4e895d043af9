"""Reads of the wiki checks and impact snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.cases.models import Case
from app.wikicheck.models import CaseWiki, ImpactSnapshot


@dataclass
class Panel:
    """The case page's wiki panel: the case's row (None before anyone named a category)
    and its snapshots, oldest day first."""

    row: CaseWiki | None
    snapshots: list[ImpactSnapshot] = field(default_factory=list)


def panel(db: Session, case_id: int) -> Panel:
    """The case's row and snapshots, in one statement (the case page's budget)."""
    found = db.execute(
        select(CaseWiki, ImpactSnapshot)
        .outerjoin(ImpactSnapshot, ImpactSnapshot.case_id == CaseWiki.case_id)
        .where(CaseWiki.case_id == case_id)
        .order_by(ImpactSnapshot.day)
    ).all()
    if not found:
        return Panel(None)
    return Panel(found[0][0], [snapshot for _row, snapshot in found if snapshot is not None])


def followed_rows(db: Session) -> list[CaseWiki]:
    """Cases whose impact is being followed (the daily job's work list)."""
    return list(db.scalars(select(CaseWiki).where(CaseWiki.impact_started_at.is_not(None))
                           .order_by(CaseWiki.case_id)))


def rows_to_check(db: Session) -> list[CaseWiki]:
    """Open cases with a Commons category or a Wikidata item (the check job's work list)."""
    return list(db.scalars(
        select(CaseWiki).join(Case, Case.id == CaseWiki.case_id)
        .where(Case.is_open.is_(True),
               (CaseWiki.commons_category != "") | (CaseWiki.wikidata_item != ""))
        .order_by(CaseWiki.case_id)))


def snapshots_of(db: Session, case_id: int) -> list[ImpactSnapshot]:
    """A case's snapshots, oldest day first (callers check who may see them)."""
    return list(db.scalars(select(ImpactSnapshot).where(ImpactSnapshot.case_id == case_id)
                           .order_by(ImpactSnapshot.day)))
