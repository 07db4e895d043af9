"""Reading working groups: the group, a user's membership and requests, the roster."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.auth.models import User
from app.auth.roles import roles_of
from app.cases.models import Case
from app.cases.transitions import CLOSED_STATES
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
