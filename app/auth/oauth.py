"""Sign-in with Wikimedia accounts: OAuth 1.0a through mwoauth, identify only.

`start_handshake()` and `finish_handshake()` wrap the mwoauth client and turn
every way it can fail into a `SignInError` with a kind the views can explain.
The access token is used once, for identify, and then forgotten.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import jwt
import mwoauth
import requests
from flask import current_app

from useragent import WEB_CLIENT
from useragent import user_agent as build_user_agent

log = logging.getLogger(__name__)

JWT_LEEWAY_SECONDS = 10.0


class SignInError(Exception):
    """Sign-in failed. `kind` is one of: cancelled, missing_token, mismatched_token,
    wiki_unreachable, wiki_refused, invalid_identity, not_configured."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class Identity:
    """What identify told us about the user."""

    central_id: int
    username: str
    blocked: bool
    claims: dict[str, Any]


def user_agent() -> str:
    """A User-Agent per the Wikimedia policy: tool name/version (URL; contact)."""
    config = current_app.config
    return build_user_agent(WEB_CLIENT, config["SOURCE_URL"], config["CONTACT"],
                            libraries=[f"mwoauth/{mwoauth.__version__}"])


def _consumer() -> mwoauth.ConsumerToken:
    config = current_app.config
    key, secret = config.get("OAUTH_CONSUMER_KEY"), config.get("OAUTH_CONSUMER_SECRET")
    if not key or not secret:
        raise SignInError("not_configured", "OAUTH_CONSUMER_KEY/SECRET are not set")
    return mwoauth.ConsumerToken(key, secret)


def _mw_uri() -> str:
    return str(current_app.config["OAUTH_MWURI"])


def start_handshake(callback_url: str) -> tuple[str, tuple[str, str]]:
    """Ask the wiki for a request token; return the authorize URL and the token."""
    try:
        redirect_url, request_token = mwoauth.initiate(
            _mw_uri(), _consumer(), callback=callback_url, user_agent=user_agent()
        )
    except requests.RequestException as exc:
        raise SignInError("wiki_unreachable", str(exc)) from exc
    except (mwoauth.OAuthException, KeyError, TypeError, ValueError) as exc:
        raise SignInError("wiki_refused", str(exc)) from exc
    return redirect_url, (request_token.key, request_token.secret)


def finish_handshake(request_token: tuple[str, str] | None, query_string: bytes) -> Identity:
    """Exchange the verifier for an access token, call identify, check the JWT."""
    if request_token is None:
        raise SignInError("missing_token", "no request token in this session")
    consumer = _consumer()
    token = mwoauth.RequestToken(*request_token)
    try:
        access_token = mwoauth.complete(
            _mw_uri(), consumer, token, query_string, user_agent=user_agent()
        )
    except requests.RequestException as exc:
        raise SignInError("wiki_unreachable", str(exc)) from exc
    except mwoauth.OAuthException as exc:
        kind = "mismatched_token" if "Unexpect request token" in str(exc) else "wiki_refused"
        raise SignInError(kind, str(exc)) from exc
    except (KeyError, TypeError, IndexError) as exc:
        raise SignInError("wiki_refused", f"bad token response: {exc}") from exc
    try:
        claims = mwoauth.identify(
            _mw_uri(), consumer, access_token, leeway=JWT_LEEWAY_SECONDS, user_agent=user_agent()
        )
    except requests.RequestException as exc:
        raise SignInError("wiki_unreachable", str(exc)) from exc
    except (mwoauth.OAuthException, jwt.InvalidTokenError, KeyError, ValueError) as exc:
        raise SignInError("invalid_identity", str(exc)) from exc
    # The access token goes out of scope here: identify-only, nothing is stored.
    return _checked_identity(claims)


def _checked_identity(claims: dict[str, Any]) -> Identity:
    """Checks mwoauth leaves to us: an expiry must be present and in the future."""
    exp = claims.get("exp")
    if exp is None:
        raise SignInError("invalid_identity", "identity has no expiry")
    if float(exp) < time.time() - JWT_LEEWAY_SECONDS:
        raise SignInError("invalid_identity", "identity expired")
    try:
        central_id = int(claims["sub"])
        username = str(claims["username"]).strip()
    except (KeyError, TypeError, ValueError) as exc:
        raise SignInError("invalid_identity", f"identity lacks {exc}") from exc
    if not username:
        raise SignInError("invalid_identity", "empty username")
    return Identity(central_id, username, bool(claims.get("blocked", False)), claims)
