"""The public projection of a case — the only view of cases that leaves the app.

The public pages, the JSON API, the Atom feed and (through the API) the bot all
read `public_cases()` and `project()`. A case appears only when its requester
consented to public listing and the helpdesk accepted it (triage) at some point
(`Case.accepted_at`); only the fields below are ever exposed. `CaseFilters`
narrows the projection (by public fields only) and `ordered()` gives its one order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    false,
    func,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session, joinedload, load_only

from app.cases.clock import stage_clock
from app.cases.labels import label
from app.cases.models import Case
from app.cases.transitions import CLOSED_STATES, STATES
from app.core.models import utcnow
from app.core.pagination import Page, paginate
from app.partners.models import Organisation

PUBLIC_FIELDS = (
    "reference", "title", "organisation", "themes", "region", "target_projects", "state",
    "state_label", "open", "created_at", "updated_at", "state_changed_at", "days_in_state",
    "public_summary", "url",
)


def is_public_clause() -> ColumnElement[bool]:
    """The SQL condition of the public projection (for joins from other tables).
    (`= true`, not `IS true`: MariaDB uses an index only for the former.)"""
    return and_(Case.public_listing == true(), Case.accepted_at.is_not(None))


# The columns `project()` and `project_stage()` read: nothing else is loaded (not the
# description, the contact details or the other JSON lists).
PROJECTED_COLUMNS = (
    Case.reference, Case.title, Case.version, Case.organisation_id, Case.themes, Case.region,
    Case.target_projects, Case.state, Case.public_listing, Case.public_summary,
    Case.created_at, Case.updated_at, Case.state_changed_at, Case.stage_started_at,
    Case.paused_seconds,
)


def public_cases() -> Select[tuple[Case]]:
    """The query of every publicly listed case (only the projected columns loaded)."""
    return select(Case).where(is_public_clause()).options(
        load_only(*PROJECTED_COLUMNS),
        joinedload(Case.organisation).load_only(Organisation.name, Organisation.kind))


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def project(case: Case, base_url: str, now: datetime | None = None) -> dict[str, Any]:
    """The public fields of a case, as plain JSON-ready values."""
    clock = stage_clock(case, now or utcnow())
    return {
        "reference": case.reference,
        "title": case.title,
        "organisation": {"name": case.organisation.name, "kind": case.organisation.kind},
        "themes": list(case.themes or []),
        "region": case.region,
        "target_projects": list(case.target_projects or []),
        "state": case.state,
        "state_label": label(STATES, case.state),
        "open": case.state not in CLOSED_STATES,
        "created_at": _iso(case.created_at),
        "updated_at": _iso(case.updated_at),
        "state_changed_at": _iso(case.state_changed_at),
        "days_in_state": clock.days,
        "public_summary": case.public_summary or "",
        "url": f"{base_url.rstrip('/')}/cases/{case.reference}",
    }


def project_stage(case: Case, now: datetime | None = None) -> dict[str, Any]:
    """The public stage clock of a case: whom it waits on and the stage's target."""
    clock = stage_clock(case, now or utcnow())
    return {
        "waiting_on": clock.waiting_on,
        "target_days": clock.target_days,
        "overdue": clock.overdue,
    }


# -- filters and order ---------------------------------------------------------

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
