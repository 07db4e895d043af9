"""What the admin pages read about users (the audit log is read by `app.core.audit`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.auth.models import RoleGrant, User


def users_with_roles(db: Session) -> list[User]:
    """Everyone who holds at least one role, by username, with their grants."""
    return list(db.scalars(
        select(User)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .options(selectinload(User.grants))
        .order_by(User.username)
        .distinct()
    ).all())


def user_by_id(db: Session, user_id: int | None) -> User | None:
    """The user with this id (None for no id or no such user)."""
    return db.get(User, user_id) if user_id else None

