"""Starting a signed-in session, and renewing it when the user's roles change.

Sign-in starts a fresh session (nothing from before survives: no fixation).
The session also keeps a fingerprint of the user's role grants. When an admin
grants or revokes one of the user's roles (on the Roles page or with
``flask roles``), the fingerprint no longer matches on the user's next request:
the session is renewed at once — same user, still signed in, but a new session
id and a new CSRF token, so forms loaded under the old roles can no longer be
sent — and the user is told what their roles are now. Renewing, rather than
signing the user out, is what people expect when they are given a role, and it
takes nothing back that a revoked role did not already lose (every page checks
the roles in the database anyway).

The check runs before the CSRF check (``create_app`` registers it first), so
the very request that arrives with the old session's form token is refused.
The fingerprint covers which grant rows there are and when they were made, so
revoking and granting a role again also renews the session; no database column
is needed.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import Flask, flash, g, request, session
from flask_babel import gettext as _

from app.auth.labels import role_choices
from app.auth.models import User
from app.auth.roles import configured_admins, roles_of, session_user

FINGERPRINT = "roles"


def role_fingerprint(user: User) -> str:
    """A digest of the user's role grants (which rows, and when they were made: SQLite
    may give a new row the id of a deleted one) and of configured admin status."""
    parts = sorted(f"{grant.role}:{grant.id}:{grant.granted_at}" for grant in user.grants)
    if user.username in configured_admins():
        parts.append("admin:configured")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def start_session(user: User, keep_messages: bool = False) -> None:
    """A fresh session for `user`: new id, no old CSRF token, the current roles.

    The chosen language is kept; waiting messages only when `keep_messages`.
    """
    language = session.get("language")
    messages = session.get("_flashes") if keep_messages else None
    session.clear()
    session["user_id"] = user.id
    session["central_id"] = user.central_id
    session["sid"] = secrets.token_urlsafe(16)
    session[FINGERPRINT] = role_fingerprint(user)
    if language:
        session["language"] = language
    if messages:
        session["_flashes"] = messages
    session.permanent = True


def _roles_notice(user: User) -> str:
    held = [name for role, name in role_choices() if role in roles_of(user)]
    if held:
        # Translators: a notice after an administrator changed the person's roles; %(roles)s is a
        # list of role names, e.g. 'Helpdesk staff, Administrator'.
        return _("Your roles on the helpdesk changed. You now have: %(roles)s. Pages opened "
                 "before the change must be reloaded before you send anything from them.",
                 roles=", ".join(held))
    # Translators: a notice after an administrator took away all of the person's roles.
    return _("Your roles on the helpdesk changed: you no longer have a staff, committee or "
             "admin role. Pages opened before the change must be reloaded before you send "
             "anything from them.")


def renew_if_roles_changed() -> None:
    """Before every request (and before the CSRF check): renew a session whose roles changed."""
    user_id = session.get("user_id")
    if user_id is None or request.endpoint == "static":
        return
    user = session_user(user_id)  # loaded once per request, with the grants
    if user is None or user.central_id != session.get("central_id"):
        return  # auth.views.load_user ends this session
    current = role_fingerprint(user)
    stored = session.get(FINGERPRINT)
    if stored == current:
        return
    if stored is None:
        # A session from before fingerprints were kept: adopt it as it is.
        session[FINGERPRINT] = current
        return
    start_session(user, keep_messages=True)
    g.session_renewed = True
    flash(_roles_notice(user), "notice")


def renew_after_own_change(user: User) -> None:
    """An admin changed their own roles: renew their session in the same answer."""
    current = g.get("user")
    if current is not None and current.id == user.id:
        start_session(user, keep_messages=True)


def init_app(app: Flask) -> None:
    """Register the check; call before the CSRF protection is set up."""
    app.before_request(renew_if_roles_changed)
