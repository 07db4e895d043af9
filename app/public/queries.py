"""Reading the public projection (`app.public.projection`): filtered, in its one order,
one page at a time, the newest for the feed, or one case by reference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, String, cast, false, func, select, true, union_all
from sqlalchemy.orm import Session

from app.cases.models import Case
from app.committee.models import Decision
from app.core.audit_log import AuditEvent
from app.core.pagination import Page, paginate
from app.partners.models import Organisation
from app.public.projection import STATE_EVENTS, is_public_clause, project_timeline, public_cases


@dataclass(frozen=True)
class CaseFilters:
    """Ways to narrow the public projection; codes must be validated by the caller."""

    state: str | None = None
    open: bool | None = None
    theme: str | None = None
    region: str | None = None
    project: str | None = None
    organisation_kind: str | None = None


def _json_list_contains(column: Any, code: str) -> ColumnElement[bool]:
    """A JSON list column holds `code` (works on SQLite and MariaDB: text search)."""
    escaped = code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return cast(column, String).like(f'%"{escaped}"%', escape="\\")


_Row = TypeVar("_Row", bound=tuple[Any, ...])


def apply_filters(query: Select[_Row], filters: CaseFilters) -> Select[_Row]:
    """The query narrowed by the filters that are set."""
    if filters.state is not None:
        query = query.where(Case.state == filters.state)
    if filters.open is True:
        query = query.where(Case.is_open == true())
    elif filters.open is False:
        query = query.where(Case.is_open == false())
    if filters.theme is not None:
        query = query.where(_json_list_contains(Case.themes, filters.theme))
    if filters.project is not None:
        query = query.where(_json_list_contains(Case.target_projects, filters.project))
    if filters.region is not None:
        query = query.where(Case.region == filters.region)
    if filters.organisation_kind is not None:
        query = query.where(Case.organisation.has(Organisation.kind == filters.organisation_kind))
    return query


def ordered(query: Select[tuple[Case]]) -> Select[tuple[Case]]:
    """Open cases first, then the most recently updated, then by reference (the order
    of the index `ix_cases_public_order`)."""
    return query.order_by(Case.is_open.desc(), Case.updated_at.desc(), Case.reference)


def count_public_cases(db: Session, filters: CaseFilters) -> int:
    """How many cases the filtered public projection holds (a plain count)."""
    count = apply_filters(select(func.count()).select_from(Case).where(is_public_clause()),
                          filters)
    return int(db.scalar(count) or 0)


def page_of_public_cases(
    db: Session, filters: CaseFilters, number: int, per_page: int, *, clamp: bool = True
) -> tuple[list[Case], Page]:
    """One page of the filtered public projection, in its order, and the page's numbers.

    The page is kept between the first and the last; with `clamp=False` (the API) a
    page past the last one is answered as asked, empty.
    """
    total = count_public_cases(db, filters)
    page = paginate(number, per_page, total) if clamp else Page(number, per_page, total)
    if total <= page.offset:
        return [], page  # no cases, or past the last page: nothing to read
    query = apply_filters(public_cases(), filters)
    cases = db.scalars(ordered(query).offset(page.offset).limit(per_page)).all()
    return list(cases), page


def recent_public_cases(db: Session, limit: int) -> list[Case]:
    """The most recently updated public cases (for the feed).

    They are among the `limit` newest open ones and the `limit` newest closed ones,
    each read in the order of the index `ix_cases_public_order` (no sort of every
    public case); the few candidates are then ordered.
    """
    def newest(is_open: bool) -> Any:
        return (select(Case.id).where(is_public_clause(), Case.is_open == is_open)
                .order_by(Case.updated_at.desc(), Case.reference).limit(limit).subquery())

    candidates = union_all(*(select(sub.c.id) for sub in (newest(True), newest(False))))
    found = candidates.subquery()
    query = (public_cases().join(found, Case.id == found.c.id)
             .order_by(Case.updated_at.desc(), Case.reference).limit(limit))
    return list(db.scalars(query).all())


def find_public_case(db: Session, reference: str) -> Case | None:
    """A case of the public projection by reference (any case), or None."""
    query = public_cases().where(Case.reference == reference.strip().upper()[:20])
    return db.scalars(query).first()


def public_timeline(db: Session, case: Case) -> list[dict[str, Any]]:
    """The public timeline of a case of the projection (`projection.project_timeline`):
    two statements, reading only the columns it shows (the audit events through the
    index `ix_audit_events_object`)."""
    events = db.execute(
        select(AuditEvent.created_at, AuditEvent.action, AuditEvent.after)
        .where(AuditEvent.object_type == "case", AuditEvent.object_id == str(case.id),
               AuditEvent.action.in_(STATE_EVENTS))
        .order_by(AuditEvent.id)
    ).tuples().all()
    decisions = db.execute(
        select(Decision.outcome, Decision.stage, Decision.public_rationale)
        .where(Decision.case_id == case.id).order_by(Decision.id)
    ).tuples().all()
    return project_timeline(events, decisions)
