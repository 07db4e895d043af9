"""Changes to users and their roles, each audited in the caller's session (the caller
commits): signing in creates or updates the user; admins grant and revoke roles."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.auth.labels import role_label
from app.auth.models import RoleGrant, User
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
    audit.record(
        session, actor, "role.revoke", "user", user.id,
        before={"username": user.username, "role": role}, after=None,
    )
