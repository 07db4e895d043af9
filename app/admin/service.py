"""Changes admins make to users besides their roles (roles: `app.auth.service`), each
audited in the caller's session (the caller commits)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.service import end_user_sessions
from app.core import audit


def sign_out_everywhere(db: Session, user: User, actor: User) -> int:
    """End every live session of `user` (audited); how many there were."""
    ended = end_user_sessions(db, user.id, "signed_out_everywhere")
    audit.record(db, actor, "user.sign_out_everywhere", "user", user.id,
                 before=None, after={"username": user.username, "sessions": ended})
    return ended
