"""Reading users for sign-in (role look-ups are in `app.auth.roles`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User


def user_by_central_id(db: Session, central_id: int) -> User | None:
    """The user with this central (SUL) account id, if they signed in before."""
    return db.scalars(select(User).where(User.central_id == central_id)).first()
