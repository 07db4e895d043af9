"""Roles: who holds which, and the checks that guard pages.

Granting and revoking a role are changes, in `app.auth.service`; the roles' names
for people are in `app.auth.labels`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, g, redirect, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.auth.models import RoleGrant, User
from app.core.db import get_session

ROLES: tuple[str, ...] = ("committee", "helpdesk", "admin")

F = TypeVar("F", bound=Callable[..., Any])


def configured_admins() -> set[str]:
    """Usernames made admins by HELPDESK_ADMINS."""
    return {name.replace("_", " ") for name in current_app.config.get("HELPDESK_ADMINS", [])}


def roles_of(user: User | None) -> set[str]:
    """The roles a user holds, including admin from configuration."""
    if user is None:
        return set()
    roles = {grant.role for grant in user.grants}
    if user.username in configured_admins():
        roles.add("admin")
    return roles


def session_user(user_id: int) -> User | None:
    """The user a session names, with their role grants, in one statement and at most
    once per request (the session check and `load_user` both ask; the ORM's identity
    map keeps objects only while something refers to them, so `g` does)."""
    loaded = g.get("_session_user")
    if loaded is not None and loaded.id == user_id:
        return loaded  # type: ignore[no-any-return]
    user = get_session().get(User, user_id, options=[joinedload(User.grants)])
    g._session_user = user
    return user


def keep_session_user(user: User | None) -> None:
    """The session check loaded the user (with the grants, in the statement that reads
    the session's record): `session_user` hands it out for the rest of the request."""
    g._session_user = user


def current_roles() -> set[str]:
    """Roles of the signed-in user (empty when signed out)."""
    return roles_of(g.get("user"))


def login_required(view: F) -> F:
    """Send anonymous users to sign in, then back here."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def role_required(*roles: str) -> Callable[[F], F]:
    """Allow only users holding one of `roles`; others get 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if g.get("user") is None:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not current_roles() & set(roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def find_user(session: Session, username: str) -> User | None:
    """Look a user up by username (underscores count as spaces, as on the wiki)."""
    name = username.strip().replace("_", " ")
    if not name:
        return None
    name = name[0].upper() + name[1:]
    return session.scalars(select(User).where(User.username == name)).first()


def users_with_role(db: Session, role: str) -> list[User]:
    """Everyone granted `role`, by username."""
    return list(db.scalars(select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                           .where(RoleGrant.role == role).order_by(User.username)))
