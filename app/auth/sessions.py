"""Signed-in sessions: starting one, checking it on every request, ending it, and
renewing it when the user's roles change.

Sign-in starts a fresh session (nothing from before survives: no fixation) with a new
random session id (`sid`). The cookie is only a signed copy of the session, so the
server keeps a record of every live session (`UserSession`, with a SHA-256 of the id):
every request with a signed-in session finds its record in the same statement that
loads the user, and a missing, ended or unused-for-too-long record means the session
is over — the cookie session is cleared and the person is signed out, with a notice
unless they signed out themselves. Signing out ends the record, so every copy of the
cookie stops working, and so do an admin's "sign out everywhere" and a block learned
at sign-in (they end all of the user's records).

The session also keeps a fingerprint of the user's role grants, and a role change
marks the user's records. When either says the roles changed, the next request with
that session id renews it at once — same user, still signed in, but a new session id
and a new CSRF token, so forms loaded under the old roles can no longer be sent — and
the user is told what their roles are now. The old record ends in the same step, so
only one copy of a cookie is renewed: any other copy is signed out. Renewing, rather
than signing the user out, is what people expect when they are given a role, and it
takes nothing back that a revoked role did not already lose (every page checks the
roles in the database anyway). The fingerprint covers which grant rows there are and
when they were made, and configured admin status, which no record marks.

The check runs before the CSRF check (``create_app`` registers it first), so the very
request that arrives with the old session's form token is refused.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import Flask, current_app, flash, g, request, session
from flask_babel import gettext as _

from app.auth import service
from app.auth.cli import sessions_group
from app.auth.labels import role_choices
from app.auth.models import User, UserSession
from app.auth.queries import session_user_and_record
from app.auth.roles import configured_admins, keep_session_user, roles_of
from app.core.db import commit_work, get_session
from app.core.models import utcnow

FINGERPRINT = "roles"
# How often a session's `last_seen_at` is written: not on every request (that would
# be a write per page), often enough for the expiry to be right within minutes.
TOUCH_INTERVAL = timedelta(minutes=5)


def role_fingerprint(user: User) -> str:
    """A digest of the user's role grants (which rows, and when they were made: SQLite
    may give a new row the id of a deleted one) and of configured admin status."""
    parts = sorted(f"{grant.role}:{grant.id}:{grant.granted_at}" for grant in user.grants)
    if user.username in configured_admins():
        parts.append("admin:configured")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def _lifetime() -> timedelta:
    return current_app.permanent_session_lifetime


def start_session(user: User, keep_messages: bool = False) -> None:
    """A fresh session for `user`: new id and record, no old CSRF token, the current
    roles. The caller commits (the record is added to the request's unit of work).

    The chosen language is kept; waiting messages only when `keep_messages`.
    """
    language = session.get("language")
    messages = session.get("_flashes") if keep_messages else None
    session.clear()
    session["user_id"] = user.id
    session["central_id"] = user.central_id
    session["sid"] = service.open_session(get_session(), user, _lifetime())
    session[FINGERPRINT] = role_fingerprint(user)
    if language:
        session["language"] = language
    if messages:
        session["_flashes"] = messages
    session.permanent = True


def end_this_session(reason: str = "signed_out") -> None:
    """End this browser's session record (the caller commits) and clear the session;
    the chosen language is kept."""
    sid = session.get("sid")
    if sid:
        service.end_session_by_sid(get_session(), sid, reason)
    _clear()


def _clear() -> None:
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language


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


def _signed_out(record: UserSession | None) -> None:
    """The session is over: clear it, and say so unless the person signed out here."""
    if record is not None and record.ended_at is None:  # unused for too long
        service.end_session(get_session(), record.id, "expired")
        commit_work()
    _clear()
    if record is None or record.end_reason != "signed_out":
        # Translators: a notice when the person's session was ended elsewhere (signed out on
        # another device, by an administrator, or after too long without use).
        flash(_("You were signed out."), "notice")


def _renew(user: User, record: UserSession) -> None:
    """Renew the session after a role change; a copy whose twin was renewed first is over."""
    if not service.end_session(get_session(), record.id, "role_changed"):
        commit_work()
        _signed_out(None)
        return
    start_session(user, keep_messages=True)
    commit_work()
    g.session_renewed = True
    flash(_roles_notice(user), "notice")


def _roles_changed(user: User, record: UserSession) -> bool:
    if record.end_reason == "role_changed":
        return True
    current = role_fingerprint(user)
    stored = session.get(FINGERPRINT)
    if stored is None:
        # A session from before fingerprints were kept: adopt it as it is.
        session[FINGERPRINT] = current
        return False
    return bool(stored != current)


def check_session() -> None:
    """Before every request (and before the CSRF check): a session whose record is
    over is signed out, one whose roles changed is renewed."""
    user_id = session.get("user_id")
    if user_id is None or request.endpoint == "static":
        return
    sid = session.get("sid")
    user, record = session_user_and_record(get_session(), user_id,
                                           service.sid_hash(sid) if sid else "")
    keep_session_user(user)  # auth.views.load_user uses it: no second statement
    if user is None or user.central_id != session.get("central_id"):
        return  # auth.views.load_user ends this session
    now = utcnow()
    if record is None or record.ended_at is not None or (
            record.last_seen_at < now - _lifetime()):
        _signed_out(record)
        return
    if _roles_changed(user, record):
        _renew(user, record)
        return
    if now - record.last_seen_at >= TOUCH_INTERVAL:
        service.touch_session(record, now)
        commit_work()


def renew_after_own_change(user: User) -> None:
    """An admin changed their own roles: renew their session in the same answer (the
    caller commits)."""
    current = g.get("user")
    if current is not None and current.id == user.id:
        sid = session.get("sid")
        if sid:
            service.end_session_by_sid(get_session(), sid, "role_changed")
        start_session(user, keep_messages=True)


def init_app(app: Flask) -> None:
    """Register the check (call before the CSRF protection is set up) and the
    `flask sessions` command."""
    app.before_request(check_session)
    app.cli.add_command(sessions_group)
