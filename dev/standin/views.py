"""The ``/w/index.php`` endpoint, dispatched on the ``title`` query parameter."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import jwt
from flask import Blueprint, Response, current_app, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from dev.standin import pages
from dev.standin.oauth1 import OAuthError, SignedRequest, check_timestamp, parse_signed_request
from dev.standin.oauth1 import verify_signature as _verify_signature
from dev.standin.state import UNKNOWN_SIGN_IN_MESSAGE, RequestToken, StandinState

bp = Blueprint("standin", __name__)

INITIATE = "Special:OAuth/initiate"
AUTHENTICATE = "Special:OAuth/authenticate"
AUTHORIZE = "Special:OAuth/authorize"
TOKEN = "Special:OAuth/token"  # noqa: S105 (a page title, not a secret)
IDENTIFY = "Special:OAuth/identify"

JWT_LIFETIME_SECONDS = 100
GRANTS = ["basic"]


def _state() -> StandinState:
    state: StandinState = current_app.extensions["standin"]
    return state


def _no_store(response: BaseResponse) -> BaseResponse:
    response.headers["Cache-Control"] = "no-store"
    return response


def _text(body: str, status: int = 200) -> BaseResponse:
    return _no_store(Response(body, status=status, mimetype="text/plain"))


def _html(body: str, status: int = 200) -> BaseResponse:
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    return _no_store(response)


def _error_page(message: str, status: int = 400) -> BaseResponse:
    return _html(pages.message_page("Sign-in problem", message, alert=True), status)


@bp.route("/w/index.php", methods=["GET", "POST"])
def index() -> BaseResponse:
    """Dispatch to the special page named by ``title``."""
    title = request.args.get("title", "")
    if title == INITIATE:
        return _signed_text_endpoint(_initiate)
    if title == TOKEN:
        return _signed_text_endpoint(_token)
    if title == IDENTIFY:
        return _identify()
    if title in (AUTHENTICATE, AUTHORIZE):
        return _consent_post(title) if request.method == "POST" else _consent_get(title)
    return _error_page(f"No such page on the OAuth stand-in: {title or '(no title)'}.", 404)


# -- OAuth-signed endpoints ---------------------------------------------------


def _verified(signed: SignedRequest, token_secret: str = "") -> None:
    """Check signature, clock and nonce (in that order) or raise OAuthError."""
    consumer_secret = _state().consumers[signed.consumer_key]
    _verify_signature(signed, consumer_secret, token_secret)
    check_timestamp(signed)
    _state().remember_nonce(signed.consumer_key, signed.nonce, signed.timestamp)


def _signed_request() -> SignedRequest:
    if request.method != "POST":
        raise OAuthError("use POST for this request", 405)
    signed = parse_signed_request(request)
    if signed.consumer_key not in _state().consumers:
        raise OAuthError("unknown consumer key (oauth_consumer_key)", 401)
    return signed


def _signed_text_endpoint(handler: Any) -> BaseResponse:
    try:
        return _text(handler(_signed_request()))
    except OAuthError as exc:
        return _text(f"Error: {exc.message}", exc.status)


def _valid_callback(callback: str) -> bool:
    if callback == "oob":
        return True
    parts = urlsplit(callback)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _initiate(signed: SignedRequest) -> str:
    _verified(signed)
    callback = signed.callback
    if callback is None or not _valid_callback(callback):
        raise OAuthError("oauth_callback must be 'oob' or an absolute http(s) URL", 400)
    token = _state().create_request_token(signed.consumer_key, callback)
    return urlencode(
        {
            "oauth_token": token.key,
            "oauth_token_secret": token.secret,
            "oauth_callback_confirmed": "true",
        }
    )


def _token(signed: SignedRequest) -> str:
    if not signed.token:
        raise OAuthError("missing OAuth parameter oauth_token", 400)
    token = _state().get_request_token(signed.token)
    if token is None or token.consumer_key != signed.consumer_key:
        raise OAuthError("unknown or expired request token (oauth_token)", 401)
    _verified(signed, token.secret)
    access = _state().exchange(token, signed.verifier)
    return urlencode({"oauth_token": access.key, "oauth_token_secret": access.secret})


def _identify() -> BaseResponse:
    try:
        signed = _signed_request()
        if not signed.token:
            raise OAuthError("missing OAuth parameter oauth_token", 400)
        access = _state().get_access_token(signed.token)
        if access is None or access.consumer_key != signed.consumer_key:
            raise OAuthError("unknown access token (oauth_token)", 401)
        _verified(signed, access.secret)
    except OAuthError as exc:
        body = json.dumps({"error": "mwoauth-invalid-authorization", "message": exc.message})
        return _no_store(Response(body, status=400, mimetype="application/json"))

    state = _state()
    account = state.current_account(access)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": state.issuer or request.host_url.rstrip("/"),
        # MediaWiki's central id; a string because PyJWT >= 2.10 (used by
        # mwoauth) rejects a numeric "sub". Override with an int to test that.
        "sub": str(account.central_id),
        "aud": signed.consumer_key,
        "exp": now + JWT_LIFETIME_SECONDS,
        "iat": now,
        "nonce": signed.nonce,
        "username": account.username,
        "editcount": account.editcount,
        "confirmed_email": account.confirmed_email,
        "blocked": account.blocked,
        "registered": account.registered,
        "groups": list(account.groups),
        "rights": account.rights(),
        "grants": list(GRANTS),
    }
    overrides, signing_secret = state.identify_knobs()
    for name, value in overrides.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    key = signing_secret if signing_secret is not None else state.consumers[signed.consumer_key]
    token = jwt.encode(claims, key, algorithm="HS256")
    return _no_store(Response(token, mimetype="application/jwt"))


# -- consent page ---------------------------------------------------------------


def _consent_action(title: str) -> str:
    return f"{request.script_root}/w/index.php?title={quote(title, safe=':/')}"


def _consent_get(title: str) -> BaseResponse:
    key = request.args.get("oauth_token", "")
    token = _state().pending_request_token(key)
    if token is None:
        return _error_page(UNKNOWN_SIGN_IN_MESSAGE)
    consumer_key = request.args.get("oauth_consumer_key")
    if consumer_key is not None and consumer_key != token.consumer_key:
        return _error_page("The consumer key does not match this sign-in request.")
    body = pages.consent_page(
        action=_consent_action(title),
        oauth_token=token.key,
        form_token=token.form_token,
        consumer_key=token.consumer_key,
        accounts=_state().account_list(),
    )
    return _html(body)


def _with_query(url: str, params: dict[str, str]) -> str:
    """Append ``params`` to ``url``, keeping its query string and fragment."""
    base, hash_mark, fragment = url.partition("#")
    if "?" not in base:
        joiner = "?"
    elif base.endswith(("?", "&")):
        joiner = ""
    else:
        joiner = "&"
    return base + joiner + urlencode(params) + hash_mark + fragment


def _consent_post(title: str) -> BaseResponse:
    key = request.form.get("oauth_token") or request.args.get("oauth_token", "")
    form_token = request.form.get("form_token", "")
    action = request.form.get("action", "")
    state = _state()
    try:
        if action == "allow":
            token = state.authorize(key, form_token, request.form.get("account", ""))
        elif action == "cancel":
            token = state.cancel(key, form_token)
        else:
            raise OAuthError("Press Allow or Cancel.", 400)
    except OAuthError as exc:
        return _error_page(exc.message, exc.status)
    return _finish(token, allowed=action == "allow")


def _finish(token: RequestToken, *, allowed: bool) -> BaseResponse:
    params = {"oauth_token": token.key}
    if allowed and token.verifier is not None:
        params = {"oauth_verifier": token.verifier, "oauth_token": token.key}
    if token.callback == "oob":
        if allowed:
            page = pages.message_page(
                "Signed in",
                "Copy this verification code into the application.",
                verifier=token.verifier,
                oauth_token=token.key,
            )
        else:
            page = pages.message_page("Sign-in cancelled", "You cancelled signing in.")
        return _html(page)
    response = redirect(_with_query(token.callback, params), code=302)
    return _no_store(response)
