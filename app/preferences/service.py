"""Saving a user's preferences, audited in the caller's session (the caller commits)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import audit


def _snapshot(user: User) -> dict[str, Any]:
    """What the audit log keeps: never the address itself, only whether there is one."""
    return {"email_notifications": bool(user.email_notifications),
            "email_set": bool(user.email), "language": user.language}


def save_preferences(db: Session, user: User, *, email_notifications: bool, email: str | None,
                     language: str | None) -> bool:
    """Set the user's notification choice, email address and language; audited (without
    the address) when anything changed. False when nothing did."""
    before = _snapshot(user)
    old_email = user.email
    user.email_notifications = email_notifications
    user.email = email
    user.language = language
    after = _snapshot(user)
    if before == after and old_email == user.email:
        return False
    after["email_changed"] = old_email != user.email
    audit.record(db, user, "user.preferences", "user", user.id, before=before, after=after)
    return True
