"""Reading working groups: the group, a user's membership and requests, the roster."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import g
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from app.auth.models import User
from app.auth.roles import roles_of
from app.cases.models import Case
from app.cases.transitions import CLOSED_STATES
from app.core.models import utcnow
from app.groups.models import JoinRequest, Membership, Referral, WorkingGroup


def find_group(db: Session, slug: str) -> WorkingGroup | None:
    """The working group `slug` (archived or not), with its members loaded."""
    return db.scalars(
        select(WorkingGroup)
        .where(WorkingGroup.slug == slug[:64])
        .options(selectinload(WorkingGroup.memberships).selectinload(Membership.user))
    ).first()


def slug_taken(db: Session, slug: str) -> bool:
    """Is there a group with this slug already (archived ones count)?"""
    return db.scalar(select(WorkingGroup.id).where(WorkingGroup.slug == slug)) is not None


def join_request_of(db: Session, group: WorkingGroup, request_id: int) -> JoinRequest | None:
    """The group's join request `request_id` (None for another group's)."""
    join_request = db.get(JoinRequest, request_id)
    return join_request if join_request is not None and join_request.group_id == group.id else None


def membership_of(group: WorkingGroup, user: User | None) -> Membership | None:
    """The user's membership of the group, if any."""
    if user is None:
        return None
    return next((m for m in group.memberships if m.user_id == user.id), None)


def is_admin(user: User | None) -> bool:
    """Does the user hold the admin role?"""
    return "admin" in roles_of(user)


def can_decide(group: WorkingGroup, user: User | None) -> bool:
    """May the user accept or decline join requests (a lead of the group, or an admin)?"""
    membership = membership_of(group, user)
    return is_admin(user) or bool(membership is not None and membership.lead)


def can_see_roster(group: WorkingGroup, user: User | None) -> bool:
    """May the user see the full member list, unlisted members included?"""
    return membership_of(group, user) is not None or is_admin(user)


def full_roster(group: WorkingGroup) -> list[Membership]:
    """Every member, leads first, then by username (private: members and admins only)."""
    return sorted(group.memberships,
                  key=lambda m: (not m.lead, m.user.username.casefold(), m.user.username))


def latest_request(db: Session, group: WorkingGroup, user: User | None) -> JoinRequest | None:
    """The user's most recent request to join the group."""
    if user is None:
        return None
    return db.scalars(
        select(JoinRequest)
        .where(JoinRequest.group_id == group.id, JoinRequest.user_id == user.id)
        .order_by(JoinRequest.created_at.desc(), JoinRequest.id.desc())
        .limit(1)
    ).first()


def pending_requests(db: Session, group: WorkingGroup) -> list[JoinRequest]:
    """The group's pending join requests, oldest first."""
    return list(db.scalars(
        select(JoinRequest)
        .where(JoinRequest.group_id == group.id, JoinRequest.status == "pending")
        .options(selectinload(JoinRequest.user))
        .order_by(JoinRequest.created_at, JoinRequest.id)
    ).all())


def pending_count(db: Session, group: WorkingGroup) -> int:
    """How many join requests wait for an answer."""
    return int(db.scalar(
        select(func.count()).select_from(JoinRequest)
        .where(JoinRequest.group_id == group.id, JoinRequest.status == "pending")
    ) or 0)


@dataclass(frozen=True)
class OpenReferral:
    """An unanswered referral of an open case (any case), as members see it."""

    reference: str
    title: str
    referred_at: datetime


def open_referrals(db: Session, group: WorkingGroup) -> list[OpenReferral]:
    """Unanswered referrals of open cases to the group, public or not (members only)."""
    rows = db.execute(
        select(Case.reference, Case.title, Referral.created_at)
        .join(Case, Case.id == Referral.case_id)
        .where(Referral.group_id == group.id, Referral.answered_at.is_(None),
               Case.state.not_in(CLOSED_STATES))
        .order_by(Case.reference, Referral.created_at)
    ).all()
    found: list[OpenReferral] = []
    seen: set[str] = set()
    for reference, title, created_at in rows:
        if reference not in seen:
            seen.add(reference)
            found.append(OpenReferral(reference, title, created_at))
    return found


def all_groups(db: Session) -> list[WorkingGroup]:
    """Every group, archived ones last, by name (for admins)."""
    return list(db.scalars(
        select(WorkingGroup)
        .options(selectinload(WorkingGroup.memberships).selectinload(Membership.user))
        .order_by(WorkingGroup.archived, WorkingGroup.name, WorkingGroup.slug)
    ).all())


def slugs_of_user(db: Session, user: User | None) -> dict[str, bool]:
    """The slugs of the user's groups → whether they lead it."""
    if user is None:
        return {}
    rows = db.execute(
        select(WorkingGroup.slug, Membership.lead)
        .join(Membership, Membership.group_id == WorkingGroup.id)
        .where(Membership.user_id == user.id)
    ).all()
    return {slug: bool(lead) for slug, lead in rows}


# -- a member's own groups ("My groups", the home page's notice, the menu) ----------


def note_membership(user: User, member: bool) -> None:
    """Remember for this request whether the user belongs to a working group (a query
    that read it anyway, like the case page's, saves `member_of_a_group` a statement)."""
    g._member_of_a_group = (user.id, member)


def member_of_a_group(db: Session, user: User) -> bool:
    """Does the user belong to any working group? (The menu's "My groups" entry; read
    at most once per request.)"""
    known = g.get("_member_of_a_group")
    if known is not None and known[0] == user.id:
        return bool(known[1])
    found = db.scalar(select(Membership.id).where(Membership.user_id == user.id)
                      .limit(1)) is not None
    note_membership(user, found)
    return found


@dataclass(frozen=True)
class WorkWaiting:
    """How much waits on the user's groups: for the home page's notice."""

    groups: int
    referrals: int  # unanswered referrals of open cases to the user's groups
    join_requests: int  # pending requests to join the groups the user leads

    @property
    def anything(self) -> bool:
        """Is there anything to answer?"""
        return bool(self.referrals or self.join_requests)


def _my_group_ids(user: User, leads_only: bool = False) -> Select[tuple[int]]:
    """The ids of the user's groups (or only of those they lead), as a subquery."""
    mine = select(Membership.group_id).where(Membership.user_id == user.id)
    return mine.where(Membership.lead.is_(True)) if leads_only else mine


def work_waiting(db: Session, user: User) -> WorkWaiting:
    """The user's groups, their open referrals and (for leads) pending join requests,
    counted in one statement."""
    groups = (select(func.count(Membership.id)).where(Membership.user_id == user.id)
              .scalar_subquery())
    referrals = (select(func.count(Referral.id)).join(Case, Case.id == Referral.case_id)
                 .where(Referral.group_id.in_(_my_group_ids(user)),
                        Referral.answered_at.is_(None), Case.state.not_in(CLOSED_STATES))
                 .scalar_subquery())
    requests = (select(func.count(JoinRequest.id))
                .where(JoinRequest.group_id.in_(_my_group_ids(user, leads_only=True)),
                       JoinRequest.status == "pending")
                .scalar_subquery())
    counts = db.execute(select(groups, referrals, requests)).one()
    work = WorkWaiting(*(int(number or 0) for number in counts))
    note_membership(user, work.groups > 0)
    return work


@dataclass(frozen=True)
class ReferralToAnswer:
    """An unanswered referral of an open case to one of the user's groups."""

    id: int
    group_id: int
    reference: str
    title: str
    question: str
    state: str  # the case's
    referred_at: datetime

    @property
    def answerable(self) -> bool:
        """Can the group answer it now (the case waits for working groups)?"""
        return self.state == "with_working_groups"

    @property
    def days_waiting(self) -> int:
        """Whole days since the committee asked."""
        return max(0, (utcnow() - self.referred_at).days)


@dataclass
class MyGroup:
    """One of the user's groups with what waits on it."""

    group: WorkingGroup
    lead: bool
    referrals: list[ReferralToAnswer] = field(default_factory=list)
    join_requests: list[JoinRequest] = field(default_factory=list)  # for leads only


def my_groups(db: Session, user: User) -> list[MyGroup]:
    """The user's groups (active ones first, by name), each with its unanswered
    referrals of open cases (oldest first) and, for the groups the user leads, the
    pending join requests: three statements whatever the numbers."""
    memberships = db.scalars(
        select(Membership).join(WorkingGroup, WorkingGroup.id == Membership.group_id)
        .options(contains_eager(Membership.group))
        .where(Membership.user_id == user.id)
        .order_by(WorkingGroup.archived, WorkingGroup.name, WorkingGroup.id)
    ).all()
    note_membership(user, bool(memberships))
    if not memberships:
        return []
    mine = {m.group_id: MyGroup(m.group, bool(m.lead)) for m in memberships}
    for row in db.execute(
        select(Referral.id, Referral.group_id, Case.reference, Case.title, Referral.question,
               Case.state, Referral.created_at)
        .join(Case, Case.id == Referral.case_id)
        .where(Referral.group_id.in_(list(mine)), Referral.answered_at.is_(None),
               Case.state.not_in(CLOSED_STATES))
        .order_by(Referral.created_at, Referral.id)
    ):
        mine[row.group_id].referrals.append(ReferralToAnswer(*row))
    led = [group_id for group_id, item in mine.items() if item.lead]
    if led:
        for join_request in db.scalars(
            select(JoinRequest).options(joinedload(JoinRequest.user))
            .where(JoinRequest.group_id.in_(led), JoinRequest.status == "pending")
            .order_by(JoinRequest.created_at, JoinRequest.id)
        ):
            mine[join_request.group_id].join_requests.append(join_request)
    return list(mine.values())
