"""Rate limits (Flask-Limiter) on signing in and on filing requests.

The limits are declared on the views they guard, with `limiter.limit(...)`; two
things are limited, nothing else:

- signing in: ``/login`` and ``/oauth-callback`` (app/auth/views.py), each per
  client address (every attempt counts: each one makes the tool call the wiki);
- filing a request: a POST of "Ask for help" (``/requests/new``) per signed-in
  user, and a POST of the helpdesk's email intake (``/requests/log-email``) per
  staff member (app/intake/views.py). Only requests actually filed count
  (``deduct_when=counted``: the view calls `count_this_request()`), so someone
  correcting a form with mistakes is never locked out; once the limit is reached
  the next POST is refused before anything is stored.

The limits are strings such as ``"5/hour;20/day"`` read from the configuration
on every request (``setting("RATELIMIT_FILING")``; defaults in app/core/config.py);
the counters live in ``RATELIMIT_STORAGE_URI``: ``memory://`` (each process
counts on its own) or ``redis://…``, shared by every gunicorn worker. When Redis
cannot be reached, requests are still served: Flask-Limiter logs one warning
("Rate limit storage unreachable - falling back to in-memory storage"), counts in
the worker's memory and checks Redis again now and then. A refused request gets the
translated error page (JSON under /api/) with a ``Retry-After`` header; each
limit names the message it refuses with (``error_message=``).

Client address: behind Toolforge's front proxy, ``create_app`` applies
Werkzeug's ``ProxyFix`` in production, trusting ``PROXY_FIX_X_FOR`` hops of
``X-Forwarded-For``; ``request.remote_addr`` is then the address the proxy saw,
and addresses a client wrote into the header itself are ignored.

There is one `limiter` per process (the decorators need it when the views are
defined); `init_app()` gives it a fresh storage for each app, so an app built by
a test starts with no counts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from flask import Flask, Response, current_app, g, make_response, request
from flask_babel import format_timedelta, ngettext
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from limits import RateLimitItem, parse_many

from app.core.config import flag
from app.core.errors import render_error

log = logging.getLogger(__name__)

# The settings that hold a limit (each checked when the app starts).
LIMIT_SETTINGS = ("RATELIMIT_SIGN_IN", "RATELIMIT_FILING", "RATELIMIT_EMAIL_INTAKE")

# Seconds to connect to, and to wait for an answer from, a redis:// storage.
REDIS_OPTIONS = {"socket_connect_timeout": 1.0, "socket_timeout": 1.0}

_COUNTED = "ratelimit_counted"
_RETRY_AFTER = "ratelimit_retry_after"


def client_address() -> str:
    """The client's address (ProxyFix has already applied X-Forwarded-For in production)."""
    return request.remote_addr or "unknown"


def signed_in_user() -> str:
    """The signed-in user (their address when signed out: the view then asks them to sign in)."""
    user = g.get("user")
    if user is not None:
        return f"user:{user.id}"
    return f"address:{client_address()}"


limiter = Limiter(key_func=client_address, strategy="fixed-window")


def setting(name: str) -> Callable[[], str]:
    """A limit read from the app's configuration on every request, e.g. RATELIMIT_FILING."""
    return lambda: str(current_app.config[name])


def count_this_request() -> None:
    """Called by a view once it has filed something: only then does the request count."""
    g.setdefault(_COUNTED, True)


def counted(_response: Response) -> bool:
    """`deduct_when` of the filing limits: did the view call `count_this_request()`?"""
    return bool(g.get(_COUNTED, False))


def _retry_after(limit: RateLimitItem | None) -> int:
    """Whole seconds until the breached limit lets the client in again (at least 1).

    Kept for the request, so the message and the Retry-After header agree.
    """
    if _RETRY_AFTER not in g:
        current = limiter.current_limit
        if current is not None and current.breached:
            seconds = int(current.reset_at - time.time())
        else:
            seconds = int(limit.get_expiry()) if limit is not None else 60
        g.setdefault(_RETRY_AFTER, max(1, seconds))
    return int(g.get(_RETRY_AFTER))


def _breached() -> tuple[RateLimitItem | None, str, str]:
    """The breached limit, its period and the wait, both as translated durations."""
    current = limiter.current_limit
    limit = current.limit if current is not None else None
    wait = format_timedelta(timedelta(seconds=_retry_after(limit)), threshold=1)
    period = (format_timedelta(timedelta(seconds=limit.get_expiry()), threshold=1)
              if limit is not None else "")
    return limit, period, wait


def sign_in_refused() -> str:
    """The message of a refused sign-in."""
    _limit, _period, wait = _breached()
    # Translators: shown when one network started signing in too often;
    # %(wait)s is a duration such as "45 seconds" or "1 hour".
    return _("There were too many attempts to sign in from your network in a short "
             "time. Please wait %(wait)s, then sign in again.", wait=wait)


def filing_refused() -> str:
    """The message of a refused "Ask for help" request."""
    limit, period, wait = _breached()
    # Translators: %(period)s is a duration such as "1 hour" or "1 day", %(wait)s one
    # such as "12 minutes".
    return ngettext(
        "You have filed %(num)d request in %(period)s, the most allowed. Your earlier "
        "request is safe. This one was not saved: go back in your browser to keep what you "
        "entered, and send it again in %(wait)s.",
        "You have filed %(num)d requests in %(period)s, the most allowed. Your earlier "
        "requests are safe. This one was not saved: go back in your browser to keep what "
        "you entered, and send it again in %(wait)s.",
        limit.amount if limit is not None else 0, period=period, wait=wait)


def email_intake_refused() -> str:
    """The message of a refused request logged from an email."""
    limit, period, wait = _breached()
    # Translators: for helpdesk staff logging requests that came by email;
    # %(period)s is a duration such as "1 hour", %(wait)s one such as "12 minutes".
    return ngettext(
        "You have logged %(num)d request from an email in %(period)s, the most allowed. "
        "This one was not saved: go back in your browser to keep what you entered, and "
        "send it again in %(wait)s.",
        "You have logged %(num)d requests from emails in %(period)s, the most allowed. "
        "This one was not saved: go back in your browser to keep what you entered, and "
        "send it again in %(wait)s.",
        limit.amount if limit is not None else 0, period=period, wait=wait)


def too_many_requests(exc: RateLimitExceeded) -> Response:
    """The 429 answer: the error page (or JSON) with the limit's message and Retry-After."""
    seconds = _retry_after(exc.limit.limit)
    log.info("rate limit %s reached on %s; retry after %s s", exc.limit.limit,
             request.endpoint, seconds)
    body, status = render_error(429, exc.description)
    response = make_response(body, status)
    response.headers["Retry-After"] = str(seconds)
    return response


def init_app(app: Flask) -> Limiter:
    """Check the limits, then start the limiter on `app` with a fresh storage."""
    config = app.config
    for name in LIMIT_SETTINGS:
        parse_many(str(config[name]))  # a typo stops the app at start, not later
    config["RATELIMIT_ENABLED"] = flag(config["RATELIMIT_ENABLED"])
    storage = str(config["RATELIMIT_STORAGE_URI"])
    # If a shared store (redis://…) is down, count in this worker's memory rather
    # than fail the request.
    remote = not storage.startswith("memory://")
    config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = remote
    config["RATELIMIT_SWALLOW_ERRORS"] = remote
    if storage.startswith(("redis://", "rediss://")):
        # A Redis that stops answering must not hold up every request: give up after a
        # second, then Flask-Limiter warns once and counts in memory until it answers.
        config.setdefault("RATELIMIT_STORAGE_OPTIONS", dict(REDIS_OPTIONS))
    # One limiter serves every app a process builds (tests build many): start each one
    # with its storage taken as alive and the fallback as this app's settings say.
    limiter._storage_dead = False
    limiter._in_memory_fallback_enabled = remote
    limiter.init_app(app)
    # Flask-Limiter logs each refusal with its key (an IP address): we log our own line.
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)
    app.register_error_handler(RateLimitExceeded, too_many_requests)
    return limiter
