"""The SQL behind the dashboard, the inbox and "my requests".

Every list loads its cases with their organisation and assignee in one
statement, and every count is a single aggregate query, so the number of
queries a page makes does not grow with the number of cases.

The open queue reads the stored `Case.is_open` flag (index `ix_cases_open_queue`),
joins organisations only when searching their names, and loads only the columns the
rows show (`ROW_COLUMNS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from app.auth.models import User
from app.auth.roles import users_with_role
from app.cases.labels import PRIORITY_ORDER
from app.cases.models import Case
from app.cases.transitions import CLOSED_STATES, OPEN_STATES
from app.committee.models import ConflictOfInterest, Review
from app.core.pagination import Page, paginate
from app.dashboard.forms import UNASSIGNED, QueueFilters
from app.partners.models import Organisation
from app.queue.models import QueueEntry

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
                              Review.stage == stage, Review.decision_id.is_(None))

    in_stage_unreviewed = or_(*(
        and_(Case.state == state, ~reviewed(stage)) for state, stage in REVIEW_STAGES.items()
    ))
    recused = exists().where(ConflictOfInterest.case_id == Case.id,
                             ConflictOfInterest.member_id == member_id)
    return and_(in_stage_unreviewed, ~recused)


def state_condition(states: frozenset[str]) -> ColumnElement[bool] | None:
    """The condition for a set of states: the stored `is_open` flag for all open or all
    closed states (it has an index), None for every state."""
    if states == OPEN_STATES:
        return Case.is_open == true()  # `= 1`, not `IS 1`: MariaDB uses an index only for `=`
    if states == CLOSED_STATES:
        return Case.is_open == false()
    if states >= OPEN_STATES | CLOSED_STATES:
        return None
    return Case.state.in_(sorted(states))


def filter_conditions(filters: QueueFilters, member_id: int) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the queue (the query must join Organisation when
    `filters.q` is set: see `needs_organisation`)."""
    conditions: list[ColumnElement[bool]] = []
    by_state = state_condition(filters.states)
    if by_state is not None:
        conditions.append(by_state)
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


@dataclass(frozen=True)
class Named:
    """An organisation or a person, as a list shows it."""

    name: str

    @property
    def username(self) -> str:
        """The same, for a person."""
        return self.name


@dataclass(frozen=True)
class ListedCase:
    """A case as the lists show it (dashboard/labels.py, dashboard/_tables.html): only
    these columns are read, as plain rows (no ORM objects to build for a list)."""

    id: int
    reference: str
    title: str
    state: str
    priority: str
    assignee_id: int | None
    updated_at: datetime
    state_changed_at: datetime
    stage_started_at: datetime
    paused_seconds: int
    organisation: Named
    assignee: Named | None
    version: int = 0  # what a form on the list sends back (the inbox's bulk actions)
    labels: list[str] | None = None  # the helpdesk's labels (app/queue/)


_ASSIGNEE = aliased(User, name="assignee")
_LISTED = (Case.id, Case.reference, Case.title, Case.state, Case.priority, Case.assignee_id,
           Case.updated_at, Case.state_changed_at, Case.stage_started_at, Case.paused_seconds,
           Organisation.name, _ASSIGNEE.username, Case.version, Case.labels)


def _listed() -> Select[Any]:
    """The listed columns, with the organisation's name and the assignee's username.
    Outer joins (every case has an organisation): MariaDB then reads the cases first,
    in the order of their index, instead of starting from the organisations."""
    return (select(*_LISTED)
            .outerjoin(Organisation, Organisation.id == Case.organisation_id)
            .outerjoin(_ASSIGNEE, _ASSIGNEE.id == Case.assignee_id))


def _listed_case(row: Sequence[Any]) -> ListedCase:
    """A ListedCase from the `_LISTED` columns of a row."""
    (case_id, reference, title, state, priority, assignee_id, updated_at, state_changed_at,
     stage_started_at, paused_seconds, organisation, assignee, version, labels) = row
    return ListedCase(case_id, reference, title, state, priority, assignee_id, updated_at,
                      state_changed_at, stage_started_at, paused_seconds, Named(organisation),
                      Named(assignee) if assignee is not None else None, version, labels)


def _read_listed(db: Session, statement: Select[Any]) -> list[ListedCase]:
    return [_listed_case(row) for row in db.execute(statement)]


def queue(db: Session, filters: QueueFilters, member_id: int, page_number: int,
          per_page: int, counts: dict[str, int] | None = None
          ) -> tuple[list[ListedCase], Page]:
    """One page of the filtered, sorted queue, and the page's numbers. With `counts`
    (`state_counts()`) a queue filtered by state only is counted without a query."""
    conditions = filter_conditions(filters, member_id)
    searching = bool(filters.q)  # only a search needs the organisation's name
    if counts is not None and filters.by_state_only:
        total = sum(counts.get(state, 0) for state in filters.states)
    else:
        count = select(func.count()).select_from(Case)
        if searching:
            count = count.outerjoin(Organisation, Organisation.id == Case.organisation_id)
        total = db.scalar(count.where(*conditions)) or 0
    page = paginate(page_number, per_page, total)
    statement = (_listed().where(*conditions).order_by(*_order_by(filters))
                 .limit(per_page).offset(page.offset))
    return _read_listed(db, statement), page


def state_counts(db: Session) -> dict[str, int]:
    """How many cases are in each state (states without cases are absent)."""
    rows = db.execute(select(Case.state, func.count(Case.id)).group_by(Case.state))
    return {state: int(count) for state, count in rows}


def waiting_for_review_count(db: Session, member_id: int,
                             counts: dict[str, int] | None = None) -> int:
    """How many cases wait for this member's review.

    With `counts` (`state_counts()`): the cases in the review stages less those the
    member has reviewed in that stage or declared a conflict on, a query that starts
    from the member's own reviews and conflicts instead of every case under review.
    """
    if counts is None:
        return db.scalar(select(func.count(Case.id)).where(waiting_for_review(member_id))) or 0
    not_waiting = union(
        *(select(Review.case_id).join(Case, Case.id == Review.case_id)
          .where(Review.member_id == member_id, Review.stage == stage, Case.state == state,
                 Review.decision_id.is_(None))
          for state, stage in REVIEW_STAGES.items()),
        select(ConflictOfInterest.case_id).join(Case, Case.id == ConflictOfInterest.case_id)
        .where(ConflictOfInterest.member_id == member_id,
               Case.state.in_(sorted(REVIEW_STAGES))),
    ).subquery()
    excluded = db.scalar(select(func.count()).select_from(not_waiting)) or 0
    return sum(counts.get(state, 0) for state in REVIEW_STAGES) - int(excluded)


@dataclass(frozen=True)
class UnderReview:
    """A case in a review stage as a committee member's lists show it: with the
    member's own review of the stage (or their conflict of interest), how many reviews
    the stage has, and whether the licence was flagged as not free."""

    case: ListedCase
    licence_flagged: bool
    my_recommendation: str | None
    recused: bool
    reviews: int


@dataclass(frozen=True)
class ReviewList:
    """At most `limit` cases of a list, and how many the whole list holds."""

    items: list[UnderReview]
    total: int


def _current_stage() -> ColumnElement[str]:
    """The review stage of the case's state (see REVIEW_STAGES)."""
    return case(*((Case.state == state, stage) for state, stage in REVIEW_STAGES.items()),
                else_="")


def review_list(db: Session, member_id: int, waiting: bool, limit: int) -> ReviewList:
    """The cases in a review stage that wait for this member's review (`waiting`), or
    the others (reviewed by the member, or a conflict declared): longest in their stage
    first, at most `limit`, in one statement whatever their number."""
    stage = _current_stage()
    mine = (select(func.max(Review.recommendation))
            .where(Review.case_id == Case.id, Review.member_id == member_id,
                   Review.stage == stage, Review.decision_id.is_(None)).scalar_subquery())
    reviews = (select(func.count(Review.id))
               .where(Review.case_id == Case.id, Review.stage == stage,
                      Review.decision_id.is_(None)).scalar_subquery())
    recused = exists().where(ConflictOfInterest.case_id == Case.id,
                             ConflictOfInterest.member_id == member_id)
    needs_me = waiting_for_review(member_id)
    statement = (
        _listed().add_columns(Case.licence_flagged, mine, recused, reviews,
                              func.count().over())
        .where(Case.state.in_(sorted(REVIEW_STAGES)), needs_me if waiting else ~needs_me)
        .order_by(Case.state_changed_at.asc(), Case.id.asc()).limit(limit))
    items, total = [], 0
    for row in db.execute(statement):
        listed = _listed_case(row[:len(_LISTED)])
        flagged, recommendation, is_recused, count, total = row[len(_LISTED):]
        items.append(UnderReview(listed, bool(flagged), recommendation, bool(is_recused),
                                 int(count or 0)))
    return ReviewList(items, int(total or 0))


@dataclass(frozen=True)
class StaffMember:
    """A member of the helpdesk staff, as the assignee filter lists them."""

    id: int
    username: str


def helpdesk_staff(db: Session) -> list[StaffMember]:
    """Everyone with the helpdesk role, by name: the people cases are assigned to."""
    return [StaffMember(user.id, user.username) for user in users_with_role(db, "helpdesk")]


@dataclass(frozen=True)
class InboxSection:
    """One list of the helpdesk inbox."""

    key: str
    cases: list[ListedCase]
    total: int


def inbox(db: Session, user_id: int, limit: int) -> list[InboxSection]:
    """The helpdesk inbox: new requests, cases assigned to me, unassigned cases in
    support; each approved cases first in the committee's order (the support queue),
    then oldest state change first, at most `limit` each."""
    conditions: dict[str, ColumnElement[bool]] = {
        "new": Case.state == "submitted",
        "mine": and_(Case.assignee_id == user_id, Case.is_open == true()),
        "unassigned": and_(Case.assignee_id.is_(None), Case.state.in_(SUPPORT_STATES)),
    }
    totals = db.execute(select(*(
        func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
        for condition in conditions.values()
    ))).one()
    sections = []
    for (key, condition), total in zip(conditions.items(), totals, strict=True):
        cases = _read_listed(db, _listed().where(condition)
                             .outerjoin(QueueEntry, QueueEntry.case_id == Case.id)
                             .order_by(QueueEntry.position.is_(None), QueueEntry.position.asc(),
                                       Case.state_changed_at.asc(), Case.id.asc()).limit(limit))
        sections.append(InboxSection(key, cases, int(total)))
    return sections


def my_cases(db: Session, user_id: int, page_number: int,
             per_page: int) -> tuple[list[ListedCase], Page]:
    """The user's own requests, most recently updated first."""
    total = db.scalar(select(func.count(Case.id)).where(Case.requester_id == user_id)) or 0
    page = paginate(page_number, per_page, total)
    statement = (_listed().where(Case.requester_id == user_id)
                 .order_by(Case.updated_at.desc(), Case.id.desc())
                 .limit(per_page).offset(page.offset))
    return _read_listed(db, statement), page
