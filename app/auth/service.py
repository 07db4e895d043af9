"""Changes to users, their roles and their sessions, in the caller's session (the caller
commits): signing in creates or updates the user and opens a session record; admins
grant and revoke roles (audited); signing out, a block and a role change end or mark
the user's session records."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, delete, func, update
from sqlalchemy.orm import Session

from app.auth.labels import role_label
from app.auth.models import RoleGrant, User, UserSession
from app.auth.oauth import Identity
from app.auth.queries import user_by_central_id
from app.auth.roles import ROLES
from app.core import audit
from app.core.models import utcnow


class RoleError(ValueError):
    """A role change that cannot be made; the message says why."""


def upsert_user(db: Session, identity: Identity) -> User:
    """Create the user who signed in, or update the username and block state of a known
    one; either way note when they signed in."""
    user = user_by_central_id(db, identity.central_id)
    if user is None:
        user = User(
            central_id=identity.central_id, username=identity.username, blocked=identity.blocked
        )
        db.add(user)
        db.flush()
        audit.record(db, user, "user.create", "user", user.id,
                     after={"username": user.username, "blocked": user.blocked})
    else:
        before = {"username": user.username, "blocked": user.blocked}
        user.username = identity.username
        user.blocked = identity.blocked
        after = {"username": user.username, "blocked": user.blocked}
        if before != after:
            audit.record(db, user, "user.update", "user", user.id, before=before, after=after)
        if user.blocked and not before["blocked"]:
            end_user_sessions(db, user.id, "blocked")  # the wiki blocked them since
    user.last_login_at = utcnow()
    return user


def grant_role(session: Session, user: User, role: str, actor: User | None) -> RoleGrant:
    """Give `user` the role; audited. Raises RoleError if unknown or already held."""
    if role not in ROLES:
        raise RoleError(
            # Translators: an error (mostly on the command line); %(role)s is what was typed,
            # %(roles)s the list of role codes (helpdesk, committee, admin).
            _("Unknown role “%(role)s”; the roles are: %(roles)s.",
              role=role, roles=", ".join(ROLES))
        )
    if any(grant.role == role for grant in user.grants):
        raise RoleError(
            # Translators: an error on the roles page; %(user)s is a username, %(role)s a role's
            # name, e.g. 'Helpdesk staff'.
            _("%(user)s already has the role %(role)s.", user=user.username,
              role=role_label(role))
        )
    grant = RoleGrant(user=user, role=role, granted_by_id=actor.id if actor else None)
    session.add(grant)
    mark_roles_changed(session, user.id)
    audit.record(
        session, actor, "role.grant", "user", user.id,
        before=None, after={"username": user.username, "role": role},
    )
    return grant


def revoke_role(session: Session, user: User, role: str, actor: User | None) -> None:
    """Take the role away; audited. Raises RoleError if not held."""
    grant = next((g_ for g_ in user.grants if g_.role == role), None)
    if grant is None:
        raise RoleError(
            # Translators: an error; %(user)s is a username, %(role)s a role's name, e.g. 'Helpdesk
            # staff'.
            _("%(user)s does not have the role %(role)s.", user=user.username,
              role=role_label(role))
        )
    user.grants.remove(grant)
    mark_roles_changed(session, user.id)
    audit.record(
        session, actor, "role.revoke", "user", user.id,
        before={"username": user.username, "role": role}, after=None,
    )


# -- session records ------------------------------------------------------------------

def sid_hash(sid: str) -> str:
    """What is stored of a session id: its SHA-256 (hex)."""
    return hashlib.sha256(sid.encode()).hexdigest()


def open_session(db: Session, user: User, lifetime: timedelta) -> str:
    """A new session id for `user`, with its record; returns the id (for the cookie).

    The user's own records that ended, or went unused, longer than `lifetime` ago are
    deleted on the way (`prune_sessions` deletes everyone's)."""
    now = utcnow()
    db.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                         _gone_before(now - lifetime)))
    sid = secrets.token_urlsafe(32)
    db.add(UserSession(sid_hash=sid_hash(sid), user_id=user.id, created_at=now,
                       last_seen_at=now))
    return sid


def end_session(db: Session, record_id: int, reason: str) -> bool:
    """End one live record; False when it had already ended (another copy of the
    cookie got there first)."""
    result = db.execute(
        update(UserSession)
        .where(UserSession.id == record_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def end_session_by_sid(db: Session, sid: str, reason: str) -> None:
    """End the record of this session id, if it is live."""
    db.execute(
        update(UserSession)
        .where(UserSession.sid_hash == sid_hash(sid), UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
        .execution_options(synchronize_session=False)
    )


def end_user_sessions(db: Session, user_id: int, reason: str) -> int:
    """End every live record of the user; how many there were."""
    result = db.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def mark_roles_changed(db: Session, user_id: int) -> None:
    """Mark the user's live records: the next request with each session id renews it
    (new id, new CSRF token) and the old id stops working."""
    db.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(end_reason="role_changed")
        .execution_options(synchronize_session=False)
    )


def touch_session(record: UserSession, now: datetime) -> None:
    """Note that the session is in use (the caller does so only every few minutes)."""
    record.last_seen_at = now


def prune_sessions(db: Session, lifetime: timedelta, now: datetime | None = None) -> int:
    """Delete every record that ended, or went unused, longer than `lifetime` ago (no
    cookie can still name it: a cookie lives `lifetime` after its last use); how many."""
    cutoff = (now or utcnow()) - lifetime
    result = db.execute(delete(UserSession).where(_gone_before(cutoff)))
    return int(result.rowcount)  # type: ignore[attr-defined]


def _gone_before(cutoff: datetime) -> ColumnElement[bool]:
    return func.coalesce(UserSession.ended_at, UserSession.last_seen_at) < cutoff
