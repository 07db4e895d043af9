"""Reading requests for a role."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import RoleGrant, User
from app.auth.roles import configured_admins
from app.role_requests.models import RoleRequest

PENDING = "pending"


def pending(db: Session) -> list[RoleRequest]:
    """Every request waiting for an administrator, oldest first."""
    return list(db.scalars(select(RoleRequest).options(joinedload(RoleRequest.user))
                           .where(RoleRequest.status == PENDING)
                           .order_by(RoleRequest.created_at, RoleRequest.id)))


def pending_count() -> Any:
    """How many requests wait for an administrator, as a scalar subquery (the menu's
    counts read it in their one statement)."""
    return (select(func.count(RoleRequest.id)).where(RoleRequest.status == PENDING)
            .scalar_subquery())


def of_user(db: Session, user: User) -> list[RoleRequest]:
    """The person's requests, newest first."""
    return list(db.scalars(select(RoleRequest).where(RoleRequest.user_id == user.id)
                           .order_by(RoleRequest.created_at.desc(), RoleRequest.id.desc())))


def find(db: Session, request_id: int) -> RoleRequest | None:
    return db.get(RoleRequest, request_id)


def pending_for(db: Session, user: User, role: str) -> RoleRequest | None:
    """The person's request for `role` still waiting, if any."""
    return db.scalars(select(RoleRequest).where(
        RoleRequest.user_id == user.id, RoleRequest.role == role,
        RoleRequest.status == PENDING)).first()


def administrators(db: Session) -> list[User]:
    """Everyone who answers requests: granted the admin role, or named in HELPDESK_ADMINS."""
    names = sorted(configured_admins())
    granted = select(RoleGrant.user_id).where(RoleGrant.role == "admin")
    return list(db.scalars(select(User).where(or_(User.id.in_(granted),
                                                  User.username.in_(names)))
                           .order_by(User.username)))
