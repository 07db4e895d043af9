"""Reads of the wiki checks and impact snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.cases.models import Case
from app.public.projection import is_public_clause
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


def latest_snapshots(db: Session, case_ids: list[int]) -> dict[int, ImpactSnapshot]:
    """Per case id: its latest snapshot (the highest day), for the cases that have one
    (one statement; callers check who may see them)."""
    if not case_ids:
        return {}
    latest = (select(ImpactSnapshot.case_id, func.max(ImpactSnapshot.day).label("day"))
              .where(ImpactSnapshot.case_id.in_(case_ids))
              .group_by(ImpactSnapshot.case_id).subquery())
    found = db.scalars(select(ImpactSnapshot).join(
        latest, and_(latest.c.case_id == ImpactSnapshot.case_id,
                     latest.c.day == ImpactSnapshot.day)))
    return {snapshot.case_id: snapshot for snapshot in found}


@dataclass(frozen=True)
class ImpactTotals:
    """The latest snapshot of each followed case, added up."""

    cases: int
    files: int
    files_in_use: int
    pages: int
    views: int
    capped: bool


def impact_totals(db: Session, *, public: bool) -> ImpactTotals:
    """Totals over each case's latest snapshot; only publicly listed cases when `public`
    (one statement)."""
    latest = (select(ImpactSnapshot.case_id, func.max(ImpactSnapshot.day).label("day"))
              .group_by(ImpactSnapshot.case_id).subquery())
    query = (select(func.count(ImpactSnapshot.id), func.sum(ImpactSnapshot.files),
                    func.sum(ImpactSnapshot.files_in_use), func.sum(ImpactSnapshot.pages),
                    func.sum(ImpactSnapshot.views),
                    func.max(case((ImpactSnapshot.files_capped, 1), else_=0)))
             .join(latest, and_(latest.c.case_id == ImpactSnapshot.case_id,
                                latest.c.day == ImpactSnapshot.day))
             .join(Case, Case.id == ImpactSnapshot.case_id))
    if public:
        query = query.where(is_public_clause())
    count, files, in_use, pages, views, capped = db.execute(query).one()
    return ImpactTotals(int(count or 0), int(files or 0), int(in_use or 0), int(pages or 0),
                        int(views or 0), bool(capped))


@dataclass(frozen=True)
class ReportRow:
    """One case of a partner report: its latest snapshot."""

    reference: str
    title: str
    commons_category: str
    day: int
    taken_at: datetime
    files: int
    files_capped: bool
    files_in_use: int
    wikis: int
    pages: int
    views: int


def partner_report(db: Session, organisation_id: int) -> list[ReportRow]:
    """The organisation's followed cases with their latest snapshot (one statement)."""
    latest = (select(ImpactSnapshot.case_id, func.max(ImpactSnapshot.day).label("day"))
              .group_by(ImpactSnapshot.case_id).subquery())
    found = db.execute(
        select(Case.reference, Case.title, CaseWiki.commons_category, ImpactSnapshot.day,
               ImpactSnapshot.taken_at, ImpactSnapshot.files, ImpactSnapshot.files_capped,
               ImpactSnapshot.files_in_use, ImpactSnapshot.wikis, ImpactSnapshot.pages,
               ImpactSnapshot.views)
        .join(latest, and_(latest.c.case_id == ImpactSnapshot.case_id,
                           latest.c.day == ImpactSnapshot.day))
        .join(Case, Case.id == ImpactSnapshot.case_id)
        .join(CaseWiki, CaseWiki.case_id == Case.id)
        .where(Case.organisation_id == organisation_id)
        .order_by(Case.created_at, Case.id)).all()
    return [ReportRow(*row) for row in found]
