"""Reading users for sign-in, and the session check's one statement (role look-ups are
in `app.auth.roles`)."""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User, UserSession


def user_by_central_id(db: Session, central_id: int) -> User | None:
    """The user with this central (SUL) account id, if they signed in before."""
    return db.scalars(select(User).where(User.central_id == central_id)).first()


def session_user_and_record(
    db: Session, user_id: int, sid_hash: str
) -> tuple[User | None, UserSession | None]:
    """The user a session names, with their role grants, and the record of the session,
    in one statement (the user is loaded on every request anyway; the record comes with
    it by the unique index on `sid_hash`). The record is None when there is none for
    this user."""
    row = db.execute(
        select(User, UserSession)
        .outerjoin(UserSession, and_(UserSession.user_id == User.id,
                                     UserSession.sid_hash == sid_hash))
        .options(joinedload(User.grants))
        .where(User.id == user_id)
    ).unique().first()
    if row is None:
        return None, None
    return row[0], row[1]
