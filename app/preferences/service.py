"""Saving a user's preferences, audited in the caller's session (the caller commits)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.auth.models import User
from app.core import audit
from app.core.regions import REGIONS


@dataclass(frozen=True)
class AboutMe:
    """What a person says about themselves (the committee page shows its members')."""

    country: str | None = None
    languages: Sequence[str] = ()
    regions: Sequence[str] = ()


def _snapshot(user: User) -> dict[str, Any]:
    """What the audit log keeps: never the address itself, only whether there is one."""
    return {"email_notifications": bool(user.email_notifications),
            "email_set": bool(user.email), "language": user.language,
            "country": user.country, "languages": list(user.languages or []),
            "regions": list(user.regions or [])}


def save_preferences(db: Session, user: User, *, email_notifications: bool, email: str | None,
                     language: str | None, about: AboutMe | None = None) -> bool:
    """Set the user's notification choice, email address and language, and (`about`)
    their country, languages and regions; audited (without the address) when anything
    changed. False when nothing did."""
    before = _snapshot(user)
    old_email = user.email
    user.email_notifications = email_notifications
    user.email = email
    user.language = language
    if about is not None:
        user.country = about.country.upper() if about.country else None
        user.languages = list(dict.fromkeys(about.languages))
        user.regions = [code for code in REGIONS if code in set(about.regions)]
    after = _snapshot(user)
    if before == after and old_email == user.email:
        return False
    after["email_changed"] = old_email != user.email
    audit.record(db, user, "user.preferences", "user", user.id, before=before, after=after)
    return True
