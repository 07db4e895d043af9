"""Reads for "what needs you": the menu's counts, the home page's panels, unread marks.

Everything here costs a constant number of statements whatever the data size: the
menu's counts are one statement (scalar subqueries, only those of the person's roles),
each home panel is one statement (its first rows and, by a window function, its total),
and the unread marks of a list are one statement over the ids the list shows.

"Changed" for a person: for staff (helpdesk, committee) the case's `updated_at`; for
everyone else only what they may see — the case's last change of state or its newest
public message (an internal note does not make a case unread for its requester).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from app.attention.models import CaseMark, SavedView
from app.auth.models import User
from app.auth.roles import roles_of
from app.cases.clock import DEFAULT_TARGET_DAYS
from app.cases.models import Case, CaseMessage
from app.cases.transitions import CLOSED_STATES
from app.committee.models import Decision, Review
from app.core.models import utcnow
from app.dashboard.queries import waiting_for_review
from app.groups.models import JoinRequest, Membership, Referral
from app.meetings.models import Meeting
from app.notifications.models import OutboxMessage
from app.role_requests import queries as role_requests

PANEL_LIMIT = 10
# Meetings of the last day read to find the one under way or next (more than this many
# in a day would be odd; the next one then shows a little late).
MEETINGS_LOOKED_AT = 5
STAFF_ROLES = frozenset({"helpdesk", "committee"})


def is_staff(roles: Collection[str]) -> bool:
    """Helpdesk or committee: sees every change of a case, internal notes too."""
    return bool(STAFF_ROLES & set(roles))


# -- conditions ---------------------------------------------------------------

def changed_at(staff: bool) -> Any:
    """When the case last changed in a way the person may see."""
    if staff:
        return Case.updated_at
    newest_public = (select(func.max(CaseMessage.created_at))
                     .where(CaseMessage.case_id == Case.id, CaseMessage.internal == false())
                     .scalar_subquery())
    return case((newest_public > Case.state_changed_at, newest_public),
                else_=Case.state_changed_at)


def _mark(user_id: int, column: Any) -> Any:
    return (select(column).where(CaseMark.case_id == Case.id, CaseMark.user_id == user_id)
            .scalar_subquery())


def unread(user_id: int, staff: bool) -> ColumnElement[bool]:
    """Cases the person never opened, or that changed (as they see it) since."""
    seen = _mark(user_id, CaseMark.seen_at)
    return or_(seen.is_(None), seen < changed_at(staff))


def watching(user_id: int) -> ColumnElement[bool]:
    """Cases the person watches: chosen, or on the case and not unwatched. Written as
    an OR of indexed conditions (the cases they chose, requested, are assigned or
    reviewed) so that a count reads only those cases, not every case."""
    choice = _mark(user_id, CaseMark.watching)
    chosen = select(CaseMark.case_id).where(CaseMark.user_id == user_id,
                                            CaseMark.watching == true())
    reviewed = select(Review.case_id).where(Review.member_id == user_id)
    candidates = or_(Case.requester_id == user_id, Case.assignee_id == user_id,
                     Case.id.in_(chosen), Case.id.in_(reviewed))
    return and_(candidates, or_(choice.is_(None), choice == true()))


def requester_replied() -> ColumnElement[bool]:
    """Open cases whose newest public message is the requester's."""
    newest_author = (select(CaseMessage.author_id)
                     .where(CaseMessage.case_id == Case.id, CaseMessage.internal == false())
                     .order_by(CaseMessage.created_at.desc(), CaseMessage.id.desc())
                     .limit(1).scalar_subquery())
    # The cases whose requester ever wrote, found from the messages (not by a subquery
    # for every open case); the newest message is looked at on those only.
    asked = aliased(Case)
    wrote = (select(CaseMessage.case_id).join(asked, asked.id == CaseMessage.case_id)
             .where(CaseMessage.author_id == asked.requester_id,
                    CaseMessage.internal == false()))
    return and_(Case.is_open == true(), Case.id.in_(wrote), newest_author == Case.requester_id)


def overdue(now: datetime | None = None) -> ColumnElement[bool]:
    """Open cases longer in their stage than its target (STAGE_TARGET_DAYS). Time
    paused while waiting on the requester is not subtracted here."""
    now = now or utcnow()
    targets = {**DEFAULT_TARGET_DAYS, **current_app.config.get("STAGE_TARGET_DAYS", {})}
    return or_(*(and_(Case.state == state, Case.stage_started_at < now - timedelta(days=days))
                 for state, days in targets.items() if state not in CLOSED_STATES))


def inbox_needs() -> ColumnElement[bool]:
    """What the helpdesk inbox counts as needing the helpdesk: new requests, and
    requests whose requester replied."""
    return or_(Case.state == "submitted", requester_replied())


def _my_groups(user_id: int, leads_only: bool = False) -> Any:
    mine = select(Membership.group_id).where(Membership.user_id == user_id)
    return mine.where(Membership.lead.is_(True)) if leads_only else mine


def _count(*conditions: ColumnElement[bool]) -> Any:
    return select(func.count(Case.id)).where(*conditions).scalar_subquery()


# -- the menu -----------------------------------------------------------------

@dataclass(frozen=True)
class Counts:
    """What needs the person, counted for the menu's badges; and, on a case page,
    their marks on that case and whether they reviewed it."""

    values: dict[str, int]
    seen_at: datetime | None = None
    watching: bool | None = None
    case_id: int | None = None
    reviewed: bool = False  # has the person reviewed the case (so watches by default)?

    def __getitem__(self, key: str) -> int:
        return self.values.get(key, 0)

    @property
    def total(self) -> int:
        """Everything counted (the phone menu's button shows it)."""
        return sum(self.values.values())


def count_subqueries(user: User, roles: set[str]) -> dict[str, Any]:
    """The menu's counts for the person's roles, as scalar subqueries by name."""
    uid, staff = user.id, is_staff(roles)
    counts: dict[str, Any] = {
        "mine": _count(Case.requester_id == uid, Case.state == "needs_information"),
        "watched": _count(watching(uid), unread(uid, staff)),
        "groups": (
            select(func.count(Referral.id)).join(Case, Case.id == Referral.case_id)
            .where(Referral.group_id.in_(_my_groups(uid)), Referral.answered_at.is_(None),
                   Case.is_open == true()).scalar_subquery()
            + select(func.count(JoinRequest.id))
            .where(JoinRequest.group_id.in_(_my_groups(uid, leads_only=True)),
                   JoinRequest.status == "pending").scalar_subquery()),
    }
    if "helpdesk" in roles:
        counts["inbox"] = _count(inbox_needs())
    if "committee" in roles:
        counts["votes"] = _count(waiting_for_review(uid))
    if "admin" in roles:
        counts["roles"] = role_requests.pending_count()
    if roles & {"admin", "helpdesk"}:
        attempts = int(current_app.config.get("OUTBOX_MAX_ATTEMPTS", 8))
        counts["undelivered"] = (select(func.count(OutboxMessage.id))
                                 .where(OutboxMessage.sent_at.is_(None),
                                        OutboxMessage.attempts >= attempts).scalar_subquery())
    return counts


def read_counts(db: Session, user: User, case_id: int | None = None) -> Counts:
    """The menu's counts and, with `case_id`, the person's marks on that case: one
    statement."""
    subqueries = count_subqueries(user, roles_of(user))
    columns = [subquery.label(name) for name, subquery in subqueries.items()]
    if case_id is not None:
        where = and_(CaseMark.user_id == user.id, CaseMark.case_id == case_id)
        reviewed = exists().where(Review.case_id == case_id, Review.member_id == user.id)
        columns += [select(CaseMark.seen_at).where(where).scalar_subquery().label("_seen"),
                    select(CaseMark.watching).where(where).scalar_subquery().label("_watch"),
                    reviewed.label("_reviewed")]
    row = db.execute(select(*columns)).one()._mapping
    values = {name: int(row[name] or 0) for name in subqueries}
    if case_id is None:
        return Counts(values)
    watch = row["_watch"]
    return Counts(values, row["_seen"], None if watch is None else bool(watch), case_id,
                  bool(row["_reviewed"]))


def counts_for_request(db: Session, case_id: int | None = None) -> Counts | None:
    """The signed-in person's counts, read once per request (the case page reads them
    with its marks first; the menu then reuses them)."""
    user = g.get("user")
    if user is None:
        return None
    known: Counts | None = g.get("_attention_counts")
    if known is not None and (case_id is None or known.case_id == case_id):
        return known
    counts = read_counts(db, user, case_id)
    g._attention_counts = counts
    return counts


# -- unread marks on lists ----------------------------------------------------

def unread_ids(db: Session, user: User | None, case_ids: Collection[int]) -> set[int]:
    """Which of these cases are unread for the person: one statement (none without ids)."""
    ids = sorted(set(case_ids))
    if user is None or not ids:
        return set()
    staff = is_staff(roles_of(user))
    return set(db.scalars(select(Case.id).where(Case.id.in_(ids), unread(user.id, staff))))


def unread_references(db: Session, user: User | None,
                      references: Collection[str]) -> set[str]:
    """The same for lists that know their cases by reference (a group's questions)."""
    refs = sorted({str(reference)[:40] for reference in references})
    if user is None or not refs:
        return set()
    staff = is_staff(roles_of(user))
    return set(db.scalars(select(Case.reference).where(Case.reference.in_(refs),
                                                       unread(user.id, staff))))


# -- the home page's panels ---------------------------------------------------

@dataclass(frozen=True)
class PanelRow:
    """A case in a panel, with a line of what waits (the committee's question...)."""

    reference: str
    title: str
    state: str
    since: datetime
    note: str = ""


@dataclass(frozen=True)
class Panel:
    """One block of the home page: a heading, its first cases, how many in all, and
    where the whole list is."""

    key: str
    title: str
    rows: list[PanelRow]
    total: int
    endpoint: str | None = None
    args: dict[str, str] | None = None


def _panel_rows(db: Session, condition: ColumnElement[bool], note: Any = None,
                order: Any = None, limit: int = PANEL_LIMIT) -> tuple[list[PanelRow], int]:
    columns: list[Any] = [Case.reference, Case.title, Case.state, Case.state_changed_at,
                          func.count().over()]
    if note is not None:
        columns.append(note)
    statement = (select(*columns).where(condition)
                 .order_by(*(order or [Case.state_changed_at.asc(), Case.id.asc()]))
                 .limit(limit))
    rows, total = [], 0
    for row in db.execute(statement):
        total = int(row[4] or 0)
        rows.append(PanelRow(row[0], row[1], row[2], row[3],
                             str(row[5] or "") if note is not None else ""))
    return rows, total


PanelProvider = Callable[[Session, User, set[str]], "Panel | None"]


def waiting_on_me(db: Session, user: User, roles: set[str]) -> Panel | None:
    """A requester's requests waiting on their answer, with the committee's question."""
    question = (select(Decision.public_rationale)
                .where(Decision.case_id == Case.id, Decision.outcome == "ask_information")
                .order_by(Decision.id.desc()).limit(1).scalar_subquery())
    rows, total = _panel_rows(db, and_(Case.requester_id == user.id,
                                       Case.state == "needs_information"), note=question)
    # Translators: a heading on the home page: the person's requests where the committee asked
    # them a question.
    return Panel("waiting_on_me", str(_l("Your requests waiting for your answer")), rows,
                 total, "dashboard.my_requests")


def _helpdesk_panels(db: Session, user: User) -> list[Panel]:
    lists: list[tuple[str, Any, ColumnElement[bool]]] = [
        # Translators: a heading on the home page of the helpdesk: requests not triaged yet.
        ("new", _l("New requests"), Case.state == "submitted"),
        # Translators: a heading on the home page of the helpdesk: cases whose requester wrote last.
        ("replied", _l("The requester replied"), requester_replied()),
        # Translators: a heading on the home page of the helpdesk.
        ("assigned", _l("Assigned to you"),
         and_(Case.assignee_id == user.id, Case.is_open == true())),
        # Translators: a heading on the home page of the helpdesk: cases past their stage's
        # target time.
        ("overdue", _l("Overdue"), overdue()),
    ]
    panels = []
    for key, title, condition in lists:
        rows, total = _panel_rows(db, condition)
        panels.append(Panel(key, str(title), rows, total, "dashboard.inbox"))
    return panels


def helpdesk_work(db: Session, user: User, roles: set[str]) -> list[Panel] | None:
    """The helpdesk's four lists (new, requester replied, assigned to me, overdue)."""
    return _helpdesk_panels(db, user) if "helpdesk" in roles else None


def votes_waiting(db: Session, user: User, roles: set[str]) -> Panel | None:
    """A committee member's cases waiting for their vote (their review of the current
    stage)."""
    if "committee" not in roles:
        return None
    rows, total = _panel_rows(db, waiting_for_review(user.id))
    # Translators: a heading on the home page of committee members: cases they have not reviewed
    # yet in the current stage.
    return Panel("votes", str(_l("Waiting for your vote")), rows, total, "dashboard.committee",
                 {"waiting": "1"})


def watched_changes(db: Session, user: User, roles: set[str]) -> Panel | None:
    """Cases the person watches that changed since they last opened them."""
    staff = is_staff(roles)
    rows, total = _panel_rows(db, and_(watching(user.id), unread(user.id, staff)),
                              order=[Case.updated_at.desc(), Case.id.desc()])
    # Translators: a heading on the home page: cases the person watches that changed since they
    # last looked.
    return Panel("watched", str(_l("Changed since you last looked")), rows, total)


def next_meeting(db: Session, now: datetime | None = None) -> Meeting | None:
    """The committee's meeting under way or next (one statement): of the meetings that
    began at most a day ago, the first that has not ended."""
    now = now or utcnow()
    candidates = db.scalars(select(Meeting).where(Meeting.starts_at >= now - timedelta(days=1))
                            .order_by(Meeting.starts_at, Meeting.id).limit(MEETINGS_LOOKED_AT))
    return next((meeting for meeting in candidates
                 if meeting.starts_at + timedelta(minutes=meeting.duration_minutes or 0) > now),
                None)


def panels_for(db: Session, user: User) -> list[Panel]:
    """The home page's panels for the person, in the order of PANELS."""
    roles = roles_of(user)
    found: list[Panel] = []
    for provider in PANELS:
        result = provider(db, user, roles)
        if isinstance(result, Panel):
            found.append(result)
        elif result:
            found.extend(result)
    return found


# Each provider returns a Panel, a list of them, or None (not for this person). Add a
# panel by appending a provider (one statement each, whatever the data size).
PANELS: list[Callable[[Session, User, set[str]], Panel | list[Panel] | None]] = [
    waiting_on_me, helpdesk_work, votes_waiting, watched_changes,
]


# -- saved views --------------------------------------------------------------

TAB_COUNT = 5


def top_views(db: Session, user_id: int, limit: int = TAB_COUNT) -> list[SavedView]:
    """The person's most used saved views (the dashboard's tabs)."""
    return list(db.scalars(select(SavedView).where(SavedView.user_id == user_id)
                           .order_by(SavedView.uses.desc(), SavedView.name, SavedView.id)
                           .limit(limit)))


def all_views(db: Session, user_id: int) -> list[SavedView]:
    """All of the person's saved views, by name."""
    return list(db.scalars(select(SavedView).where(SavedView.user_id == user_id)
                           .order_by(SavedView.name, SavedView.id)))


def view_of(db: Session, user_id: int, view_id: int) -> SavedView | None:
    """The person's saved view with this id (None for another person's)."""
    view = db.get(SavedView, view_id)
    return view if view is not None and view.user_id == user_id else None


def view_named(db: Session, user_id: int, name: str) -> SavedView | None:
    """The person's saved view with this name."""
    return db.scalar(select(SavedView).where(SavedView.user_id == user_id,
                                             SavedView.name == name))


def mark_of(db: Session, user_id: int, case_id: int) -> CaseMark | None:
    """The person's marks on the case."""
    return db.scalar(select(CaseMark).where(CaseMark.user_id == user_id,
                                            CaseMark.case_id == case_id))
