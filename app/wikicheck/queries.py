"""Reads of the wiki checks and impact snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.cases.labels import ORGANISATION_KINDS, THEMES
from app.cases.models import Case
from app.core.regions import REGIONS
from app.partners.models import Organisation
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


@dataclass
class ImpactSum:
    """The latest snapshots of some followed cases, added up."""

    cases: int = 0
    files: int = 0
    files_in_use: int = 0
    pages: int = 0
    views: int = 0
    capped: bool = False

    def add(self, files: int, files_in_use: int, pages: int, views: int,
            capped: bool) -> None:
        """Count one case's latest snapshot."""
        self.cases += 1
        self.files += files
        self.files_in_use += files_in_use
        self.pages += pages
        self.views += views
        self.capped = self.capped or capped


@dataclass
class ImpactTotals(ImpactSum):
    """All followed cases added up, and the same by the case's region ("" for none),
    theme (a case with two themes counts in each) and kind of organisation; each
    breakdown in the order of its codes."""

    by_region: list[tuple[str, ImpactSum]] = field(default_factory=list)
    by_theme: list[tuple[str, ImpactSum]] = field(default_factory=list)
    by_kind: list[tuple[str, ImpactSum]] = field(default_factory=list)


def impact_totals(db: Session, *, public: bool) -> ImpactTotals:
    """Totals over each case's latest snapshot; only publicly listed cases when `public`
    (one statement)."""
    latest = (select(ImpactSnapshot.case_id, func.max(ImpactSnapshot.day).label("day"))
              .group_by(ImpactSnapshot.case_id).subquery())
    query = (select(Case.region, Case.themes, Organisation.kind, ImpactSnapshot.files,
                    ImpactSnapshot.files_in_use, ImpactSnapshot.pages, ImpactSnapshot.views,
                    ImpactSnapshot.files_capped)
             .join(latest, and_(latest.c.case_id == ImpactSnapshot.case_id,
                                latest.c.day == ImpactSnapshot.day))
             .join(Case, Case.id == ImpactSnapshot.case_id)
             .join(Organisation, Organisation.id == Case.organisation_id))
    if public:
        query = query.where(is_public_clause())
    totals = ImpactTotals()
    groups: dict[str, dict[str, ImpactSum]] = {"region": {}, "theme": {}, "kind": {}}
    for region, themes, kind, files, in_use, pages, views, capped in db.execute(query):
        figures = (int(files), int(in_use), int(pages), int(views), bool(capped))
        totals.add(*figures)
        for dimension, codes in (("region", {region or ""}), ("theme", set(themes or [])),
                                 ("kind", {kind})):
            for code in codes:
                groups[dimension].setdefault(code, ImpactSum()).add(*figures)
    totals.by_region = _in_order(groups["region"], (*REGIONS, ""))
    totals.by_theme = _in_order(groups["theme"], tuple(THEMES))
    totals.by_kind = _in_order(groups["kind"], tuple(ORGANISATION_KINDS))
    return totals


def _in_order(sums: dict[str, ImpactSum], order: tuple[str, ...]) -> list[tuple[str, ImpactSum]]:
    position = {code: index for index, code in enumerate(order)}
    return sorted(sums.items(), key=lambda item: (position.get(item[0], len(order)), item[0]))


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
