"""Routes: /login, /oauth-callback, /logout; loading the signed-in user."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.auth import service
from app.auth.oauth import SignInError, finish_handshake, start_handshake
from app.auth.roles import session_user
from app.auth.sessions import end_this_session, start_session
from app.core.db import commit_work, get_session
from app.core.ratelimit import client_address, limiter, setting, sign_in_refused

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)

FAILURE_STATUS = {
    "cancelled": 200,
    "missing_token": 400,
    "mismatched_token": 400,
    "invalid_identity": 401,
    "wiki_refused": 502,
    "wiki_unreachable": 502,
    "not_configured": 503,
}


def safe_next(target: str | None) -> str:
    """A same-site path to return to; anything else becomes the home page."""
    if not target:
        return url_for("main.index")
    target = target.strip()
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(ch) < 32 for ch in target)
    ):
        return url_for("main.index")
    return target


@bp.before_app_request
def load_user() -> None:
    """Put the signed-in user (or None) on `g.user`."""
    g.user = None
    user_id = session.get("user_id")
    if user_id is None:
        return
    user = session_user(user_id)
    if user is None or user.central_id != session.get("central_id"):
        session.clear()
        return
    g.user = user


@bp.get("/login")
@limiter.limit(setting("RATELIMIT_SIGN_IN"), key_func=client_address,
               error_message=sign_in_refused)
def login() -> ResponseReturnValue:
    """Start the OAuth handshake and send the browser to the wiki."""
    next_url = safe_next(request.args.get("next"))
    if g.user is not None:
        return redirect(next_url)
    try:
        authorize_url, request_token = start_handshake(
            url_for("auth.oauth_callback", _external=True)
        )
    except SignInError as exc:
        return _failure(exc)
    session["oauth_request_token"] = list(request_token)
    session["oauth_next"] = next_url
    return redirect(authorize_url)


@bp.get("/oauth-callback")
@limiter.limit(setting("RATELIMIT_SIGN_IN"), key_func=client_address,
               error_message=sign_in_refused)
def oauth_callback() -> ResponseReturnValue:
    """The wiki sends the browser back here; finish, identify, start a session."""
    stored = session.pop("oauth_request_token", None)
    next_url = safe_next(session.pop("oauth_next", None))
    try:
        if "oauth_verifier" not in request.args:
            raise SignInError("cancelled", "no verifier in callback")
        if stored and request.args.get("oauth_token") != stored[0]:
            # A callback naming no token, or another one, is not the wiki's answer to
            # this attempt: refuse it here (400) rather than as the wiki's failure (502).
            raise SignInError("mismatched_token", "the callback names another request token")
        identity = finish_handshake(
            tuple(stored) if stored else None,  # type: ignore[arg-type]
            request.query_string,
        )
    except SignInError as exc:
        return _failure(exc)
    user = service.upsert_user(get_session(), identity)
    end_this_session()  # a session this browser still had
    start_session(user)  # a fresh session: nothing from before sign-in survives (no fixation)
    commit_work()
    if user.blocked:
        flash(
            # Translators: shown to people whose Wikimedia account is blocked on the wikis.
            _(
                "Your Wikimedia account is blocked, so you cannot file new requests. "
                "You can still read and follow your own requests."
            ),
            "warning",
        )
    else:
        # Translators: a confirmation after signing in; %(name)s is the Wikimedia username.
        flash(_("You are signed in as %(name)s.", name=user.username), "success")
    return redirect(next_url)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out (POST with a CSRF token, so no page can sign you out): the session's
    record ends, so a copy of the cookie is signed out too."""
    end_this_session("signed_out")
    commit_work()
    # Translators: a confirmation after signing out.
    flash(_("You are signed out."), "success")
    return redirect(url_for("main.index"))


def _failure(exc: SignInError) -> tuple[str, int]:
    log.warning("sign-in failed (%s): %s", exc.kind, exc.detail)
    messages = {
        # Translators: shown when the person pressed Cancel on the wiki's sign-in (OAuth) page.
        "cancelled": _("You cancelled signing in on the wiki. Nothing was shared with us."),
        # Translators: a sign-in (OAuth) error.
        "missing_token": _(
            "This sign-in link has expired or was already used. Please sign in again."
        ),
        # Translators: a sign-in (OAuth) error: the answer from the wiki does not match this
        # browser's sign-in attempt.
        "mismatched_token": _(
            "This sign-in answer does not belong to your sign-in attempt. Please sign in again."
        ),
        # Translators: a sign-in (OAuth) error.
        "invalid_identity": _(
            "The wiki's answer about your account could not be verified, so you were not "
            "signed in. Please try again."
        ),
        # Translators: a sign-in (OAuth) error.
        "wiki_refused": _("The wiki refused the sign-in request. Please try again later."),
        # Translators: a sign-in (OAuth) error: the wiki did not answer.
        "wiki_unreachable": _(
            "The wiki could not be reached to sign you in. Please try again in a few minutes."
        ),
        # Translators: a sign-in error for the people running the tool: no OAuth consumer is set up.
        "not_configured": _("Signing in is not configured on this server yet."),
    }
    status = FAILURE_STATUS.get(exc.kind, 400)
    return render_template(
        "auth/failure.html", message=messages.get(exc.kind, messages["wiki_refused"])
    ), status
