"""Rate limits (Flask-Limiter) on signing in and on filing requests.

Two things are limited, nothing else:

- signing in: ``/login`` and ``/oauth-callback``, each per client address
  (every attempt counts: each one makes the tool call the wiki);
- filing a request: a POST of "Ask for help" (``/requests/new``) per signed-in
  user, and a POST of the helpdesk's email intake (``/requests/log-email``) per
  staff member. Only requests actually filed count, so someone correcting a
  form with mistakes is never locked out; once the limit is reached the next
  POST is refused before anything is stored.

The limits are strings such as ``"5/hour;20/day"`` read from the configuration
on every request (``RATELIMIT_SIGN_IN``, ``RATELIMIT_FILING``,
``RATELIMIT_EMAIL_INTAKE``); the counters live in ``RATELIMIT_STORAGE_URI``.
A refused request gets the translated error page (JSON under /api/) with a
``Retry-After`` header.

Client address: behind Toolforge's front proxy, ``create_app`` applies
Werkzeug's ``ProxyFix`` in production, trusting ``PROXY_FIX_X_FOR`` hops of
``X-Forwarded-For``; ``request.remote_addr`` is then the address the proxy saw,
and addresses a client wrote into the header itself are ignored.

Each app gets its own `Limiter` (``app.extensions["helpdesk_limiter"]``), so
apps built by tests never share counters.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask, Response, current_app, g, make_response, request
from flask_babel import format_timedelta, ngettext
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from limits import RateLimitItem, parse_many

from app.core.config import DEFAULT_EMAIL_INTAKE_LIMIT, DEFAULT_FILING_LIMIT, DEFAULT_SIGN_IN_LIMIT
from app.core.errors import render_error

DEFAULT_STORAGE_URI = "memory://"

log = logging.getLogger(__name__)

_COUNTED = "ratelimit_counted"


def client_address() -> str:
    """The client's address (ProxyFix has already applied X-Forwarded-For in production)."""
    return request.remote_addr or "unknown"


def signed_in_user() -> str:
    """The signed-in user (their address when signed out: the view then asks them to sign in)."""
    user = g.get("user")
    if user is not None:
        return f"user:{user.id}"
    return f"address:{client_address()}"


def count_this_request() -> None:
    """Called by a view once it has filed something: only then does the request count."""
    g.setdefault(_COUNTED, True)


def _counted(_response: Response) -> bool:
    return bool(g.get(_COUNTED, False))


@dataclass(frozen=True)
class LimitedView:
    """One limited endpoint: which setting holds its limit, who it counts, what it says."""

    endpoint: str
    setting: str
    key: Callable[[], str]
    kind: str  # "sign_in", "filing" or "email_intake": picks the message
    methods: tuple[str, ...] | None = None  # None: every method
    only_when_counted: bool = False  # count only requests that call count_this_request()


LIMITED_VIEWS: tuple[LimitedView, ...] = (
    LimitedView("auth.login", "RATELIMIT_SIGN_IN", client_address, "sign_in"),
    LimitedView("auth.oauth_callback", "RATELIMIT_SIGN_IN", client_address, "sign_in"),
    LimitedView("intake.new_request", "RATELIMIT_FILING", signed_in_user, "filing",
                ("POST",), only_when_counted=True),
    LimitedView("intake.log_email", "RATELIMIT_EMAIL_INTAKE", signed_in_user, "email_intake",
                ("POST",), only_when_counted=True),
)


def _setting(name: str) -> Callable[[], str]:
    return lambda: str(current_app.config[name])


def _message(kind: str, limit: RateLimitItem | None, wait: str) -> str:
    amount = limit.amount if limit is not None else 0
    period = format_timedelta(timedelta(seconds=limit.get_expiry()), threshold=1) \
        if limit is not None else ""
    if kind == "sign_in":
        # Translators: shown when one network started signing in too often;
        # %(wait)s is a duration such as "45 seconds" or "1 hour".
        return _("There were too many attempts to sign in from your network in a short "
                 "time. Please wait %(wait)s, then sign in again.", wait=wait)
    if kind == "email_intake":
        # Translators: for helpdesk staff logging requests that came by email;
        # %(period)s is a duration such as "1 hour", %(wait)s one such as "12 minutes".
        return ngettext(
            "You have logged %(num)d request from an email in %(period)s, the most allowed. "
            "This one was not saved: go back in your browser to keep what you entered, and "
            "send it again in %(wait)s.",
            "You have logged %(num)d requests from emails in %(period)s, the most allowed. "
            "This one was not saved: go back in your browser to keep what you entered, and "
            "send it again in %(wait)s.",
            amount, period=period, wait=wait)
    # Translators: %(period)s is a duration such as "1 hour" or "1 day", %(wait)s one
    # such as "12 minutes".
    return ngettext(
        "You have filed %(num)d request in %(period)s, the most allowed. Your earlier "
        "request is safe. This one was not saved: go back in your browser to keep what you "
        "entered, and send it again in %(wait)s.",
        "You have filed %(num)d requests in %(period)s, the most allowed. Your earlier "
        "requests are safe. This one was not saved: go back in your browser to keep what "
        "you entered, and send it again in %(wait)s.",
        amount, period=period, wait=wait)


def _retry_after(limiter: Limiter, exc: RateLimitExceeded) -> int:
    """Whole seconds until the breached limit lets the client in again (at least 1)."""
    current = limiter.current_limit
    if current is not None and current.breached:
        return max(1, int(current.reset_at - time.time()))
    return max(1, int(exc.limit.limit.get_expiry()))


def too_many_requests(exc: RateLimitExceeded) -> Response:
    """The 429 answer: the error page (or JSON) with a clear message and Retry-After."""
    limiter: Limiter = current_app.extensions["helpdesk_limiter"]
    seconds = _retry_after(limiter, exc)
    kinds = {view.endpoint: view.kind for view in LIMITED_VIEWS}
    wait = format_timedelta(timedelta(seconds=seconds), threshold=1)
    kind = kinds.get(request.endpoint or "", "sign_in")
    log.info("rate limit %s reached (%s); retry after %s s", exc.limit.limit, kind, seconds)
    detail = _message(kind, exc.limit.limit, wait)
    body, status = render_error(429, detail)
    response = make_response(body, status)
    response.headers["Retry-After"] = str(seconds)
    return response


def _enabled(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(value)


def init_app(app: Flask) -> Limiter | None:
    """Limit the views of LIMITED_VIEWS (call after every blueprint is registered)."""
    config = app.config
    for view in LIMITED_VIEWS:
        default = {"RATELIMIT_SIGN_IN": DEFAULT_SIGN_IN_LIMIT,
                   "RATELIMIT_FILING": DEFAULT_FILING_LIMIT,
                   "RATELIMIT_EMAIL_INTAKE": DEFAULT_EMAIL_INTAKE_LIMIT}[view.setting]
        config.setdefault(view.setting, default)
        parse_many(str(config[view.setting]))  # a typo stops the app at start, not later
    config["RATELIMIT_ENABLED"] = _enabled(config.get("RATELIMIT_ENABLED", True))
    storage = str(config.get("RATELIMIT_STORAGE_URI") or DEFAULT_STORAGE_URI)
    config["RATELIMIT_STORAGE_URI"] = storage
    remote = not storage.startswith("memory://")
    limiter = Limiter(
        key_func=client_address,
        storage_uri=storage,
        strategy="fixed-window",
        key_prefix=str(config.get("RATELIMIT_KEY_PREFIX") or "helpdesk"),
        # If a shared store (redis://…) is down, count in this worker's memory rather
        # than fail the request.
        in_memory_fallback_enabled=remote,
        swallow_errors=remote,
        enabled=config["RATELIMIT_ENABLED"],
    )
    limiter.init_app(app)
    app.extensions["helpdesk_limiter"] = limiter
    # Flask-Limiter logs each refusal with its key (an IP address): we log our own line.
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)
    if not limiter.enabled:
        return None
    for view in LIMITED_VIEWS:
        limit = limiter.limit(
            _setting(view.setting),
            key_func=view.key,
            methods=list(view.methods) if view.methods else None,
            deduct_when=_counted if view.only_when_counted else None,
        )
        view_function: Callable[..., Any] = app.view_functions[view.endpoint]
        app.view_functions[view.endpoint] = limit(view_function)
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    return limiter
