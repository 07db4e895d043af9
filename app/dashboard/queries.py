"""The SQL behind the dashboard, the inbox and "my requests".

Every list loads its cases with their organisation and assignee in one
statement, and every count is a single aggregate query, so the number of
queries a page makes does not grow with the number of cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, contains_eager, joinedload

from ..models import Case, ConflictOfInterest, Organisation, Review, User
from ..pagination import Page
from ..roles import users_with_role
from ..vocab import PRIORITY_ORDER
from ..workflow.transitions import OPEN_STATES
from .filters import UNASSIGNED, QueueFilters

LIKE_ESCAPE = "!"
# States in which the committee reviews, and the review stage each belongs to.
REVIEW_STAGES: dict[str, str] = {"in_initial_review": "initial", "awaiting_final_go": "final"}
SUPPORT_STATES = ("approved", "in_support")


def like_pattern(text: str) -> str:
    """`%text%` for LIKE, with the wildcards and the escape character escaped."""
    escaped = (text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
               .replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_"))
    return f"%{escaped}%"


def waiting_for_review(member_id: int) -> ColumnElement[bool]:
    """Cases in a review stage where the member has not reviewed that stage yet and
    has not declared a conflict of interest."""
    def reviewed(stage: str) -> ColumnElement[bool]:
        return exists().where(Review.case_id == Case.id, Review.member_id == member_id,
                              Review.stage == stage)

    in_stage_unreviewed = or_(*(
        and_(Case.state == state, ~reviewed(stage)) for state, stage in REVIEW_STAGES.items()
    ))
    recused = exists().where(ConflictOfInterest.case_id == Case.id,
                             ConflictOfInterest.member_id == member_id)
    return and_(in_stage_unreviewed, ~recused)


def filter_conditions(filters: QueueFilters, member_id: int) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the queue (the query must join Organisation)."""
    conditions: list[ColumnElement[bool]] = [Case.state.in_(sorted(filters.states))]
    if filters.theme:
        # JSON list column: its text holds the code in double quotes on SQLite and MariaDB.
        conditions.append(cast(Case.themes, String).like(
            like_pattern(f'"{filters.theme}"'), escape=LIKE_ESCAPE))
    if filters.region:
        conditions.append(Case.region == filters.region)
    if filters.priority:
        conditions.append(Case.priority == filters.priority)
    if filters.assignee == UNASSIGNED:
        conditions.append(Case.assignee_id.is_(None))
    elif filters.assignee:
        conditions.append(Case.assignee_id == int(filters.assignee))
    if filters.waiting:
        conditions.append(waiting_for_review(member_id))
    if filters.q:
        pattern = like_pattern(filters.q)
        conditions.append(or_(Case.title.ilike(pattern, escape=LIKE_ESCAPE),
                              Organisation.name.ilike(pattern, escape=LIKE_ESCAPE)))
    return conditions


def _order_by(filters: QueueFilters) -> list[ColumnElement[Any]]:
    descending = filters.direction == "desc"

    def directed(column: ColumnElement[Any] | InstrumentedAttribute[Any]) -> ColumnElement[Any]:
        return column.desc() if descending else column.asc()

    if filters.sort == "priority":
        rank = case(PRIORITY_ORDER, value=Case.priority, else_=len(PRIORITY_ORDER))
        return [directed(rank), Case.state_changed_at.asc(), Case.id.asc()]
    if filters.sort == "updated":
        return [directed(Case.updated_at), directed(Case.id)]
    if filters.sort == "reference":
        return [directed(Case.year), directed(Case.number)]
    return [directed(Case.state_changed_at), directed(Case.id)]


def _cases_with_people() -> Select[tuple[Case]]:
    """Cases joined to their organisation, with organisation and assignee loaded."""
    return (select(Case).join(Case.organisation)
            .options(contains_eager(Case.organisation), joinedload(Case.assignee)))


def _page(total: int, number: int, per_page: int) -> Page:
    """The page asked for, kept between the first and the last."""
    last = Page(number=1, per_page=per_page, total=total).pages
    return Page(number=min(max(1, number), last), per_page=per_page, total=total)


def queue(db: Session, filters: QueueFilters, member_id: int, page_number: int,
          per_page: int) -> tuple[list[Case], Page]:
    """One page of the filtered, sorted queue, and the page's numbers."""
    conditions = filter_conditions(filters, member_id)
    total = db.scalar(select(func.count(Case.id)).join(Case.organisation)
                      .where(*conditions)) or 0
    page = _page(total, page_number, per_page)
    statement = (_cases_with_people().where(*conditions).order_by(*_order_by(filters))
                 .limit(per_page).offset((page.number - 1) * per_page))
    return list(db.scalars(statement).unique()), page


def state_counts(db: Session) -> dict[str, int]:
    """How many cases are in each state (states without cases are absent)."""
    rows = db.execute(select(Case.state, func.count(Case.id)).group_by(Case.state))
    return {state: int(count) for state, count in rows}


def waiting_for_review_count(db: Session, member_id: int) -> int:
    """How many cases wait for this member's review."""
    return db.scalar(select(func.count(Case.id)).where(waiting_for_review(member_id))) or 0


def helpdesk_staff(db: Session) -> list[User]:
    """Everyone with the helpdesk role, by name: the people cases are assigned to."""
    return users_with_role(db, "helpdesk")


@dataclass(frozen=True)
class InboxSection:
    """One list of the helpdesk inbox."""

    key: str
    cases: list[Case]
    total: int


def inbox(db: Session, user_id: int, limit: int) -> list[InboxSection]:
    """The helpdesk inbox: new requests, cases assigned to me, unassigned cases in
    support; each oldest state change first, at most `limit` each."""
    open_states = sorted(OPEN_STATES)
    conditions: dict[str, ColumnElement[bool]] = {
        "new": Case.state == "submitted",
        "mine": and_(Case.assignee_id == user_id, Case.state.in_(open_states)),
        "unassigned": and_(Case.assignee_id.is_(None), Case.state.in_(SUPPORT_STATES)),
    }
    totals = db.execute(select(*(
        func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
        for condition in conditions.values()
    ))).one()
    sections = []
    for (key, condition), total in zip(conditions.items(), totals, strict=True):
        cases = db.scalars(_cases_with_people().where(condition)
                           .order_by(Case.state_changed_at.asc(), Case.id.asc())
                           .limit(limit)).unique().all()
        sections.append(InboxSection(key, list(cases), int(total)))
    return sections


def my_cases(db: Session, user_id: int, page_number: int,
             per_page: int) -> tuple[list[Case], Page]:
    """The user's own requests, most recently updated first."""
    total = db.scalar(select(func.count(Case.id)).where(Case.requester_id == user_id)) or 0
    page = _page(total, page_number, per_page)
    statement = (select(Case).where(Case.requester_id == user_id)
                 .order_by(Case.updated_at.desc(), Case.id.desc())
                 .limit(per_page).offset((page.number - 1) * per_page))
    return list(db.scalars(statement).unique()), page
