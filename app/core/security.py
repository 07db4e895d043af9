"""HTTP security and caching headers, cookie settings, and control characters kept out of
input."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask, Request, Response, current_app, g, request, session
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge

# C0 control characters other than tab, line feed and carriage return: no one types
# them into a form, XML (the Atom feed) and MediaWiki (the bot) refuse them, and a NUL
# byte ends a string in C code along the way.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def without_control_characters(value: Any) -> Any:
    """A submitted value without control characters (other values unchanged)."""
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


class CleanMultiDict(ImmutableMultiDict):  # type: ignore[type-arg]
    """Query arguments and form fields as submitted, minus control characters."""

    def __init__(self, mapping: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None
                 ) -> None:
        if mapping is None:
            super().__init__()
            return
        if isinstance(mapping, MultiDict):
            pairs: Iterable[tuple[str, Any]] = mapping.items(multi=True)
        elif isinstance(mapping, Mapping):
            pairs = mapping.items()
        else:
            pairs = mapping
        super().__init__((key, without_control_characters(value)) for key, value in pairs)


def _too_long(value: Any, limit: int) -> bool:
    """A text of more than `limit` bytes (in UTF-8, as it came)."""
    return isinstance(value, str) and len(value) * 4 > limit and len(value.encode()) > limit


# The forms that may carry files (app/attachments/): the request form and a case message.
UPLOAD_ENDPOINTS = frozenset({"intake.new_request", "cases.message"})


class HelpdeskRequest(Request):
    """Every view reads cleaned `request.args` and `request.form` (and so every form),
    and the path is routed (and shown) without control characters.

    One field of a form is at most MAX_FORM_MEMORY_SIZE bytes, in a urlencoded form too
    (Werkzeug checks it only for multipart forms): a bigger one is refused with a 413
    before any view sees it, so a form sent back with its errors never shows more than
    that much of what was sent.
    """

    parameter_storage_class = CleanMultiDict

    @property
    def max_content_length(self) -> int | None:
        """MAX_CONTENT_LENGTH; for the forms that carry files (UPLOAD_ENDPOINTS) that much
        more than ATTACHMENT_MAX_FILES files of ATTACHMENT_MAX_BYTES each."""
        limit = super().max_content_length
        if self._max_content_length is None and limit and self.endpoint in UPLOAD_ENDPOINTS:
            config = current_app.config
            limit += int(config["ATTACHMENT_MAX_FILES"]) * int(config["ATTACHMENT_MAX_BYTES"])
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    def __init__(self, environ: dict[str, Any], populate_request: bool = True,
                 shallow: bool = False) -> None:
        path = environ.get("PATH_INFO", "")
        if CONTROL_CHARACTERS.search(path):  # one byte each, also in WSGI's latin-1 form
            environ["PATH_INFO"] = CONTROL_CHARACTERS.sub("", path)
        super().__init__(environ, populate_request, shallow)

    def _load_form_data(self) -> None:
        loaded = "form" in self.__dict__
        super()._load_form_data()
        limit = self.max_form_memory_size
        if loaded or not limit:
            return
        if any(_too_long(value, limit) for _, value in self.form.items(multi=True)):
            self.__dict__["form"] = self.parameter_storage_class()  # nothing of it is kept
            raise RequestEntityTooLarge()


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def set_security_headers(response: Response) -> Response:
    """Headers every answer carries."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    _strict_transport_security(response)
    return response


def _strict_transport_security(response: Response) -> None:
    """HSTS, only where the app is asked to send it (HSTS_MAX_AGE > 0, production, HTTPS).

    Toolforge's front proxy already sends `Strict-Transport-Security: max-age=31622400`
    (366 days, no includeSubDomains; Phabricator T102367) on every HTTPS answer of every
    tool, and redirects HTTP to HTTPS; see `add_header Strict-Transport-Security` in
    https://github.com/wikimedia/operations-puppet/blob/production/modules/profile/templates/toolforge/proxy/nginx-site.conf.erb
    (read at commit 0c78bb4d9ed3ab8818ca1ce1b81cac3a86fa72ab). nginx's add_header does not
    replace a header the app sends, and a browser heeds only the first of two (RFC 6797
    §8.1), so on Toolforge the app sends none (HSTS_MAX_AGE=0, the default). Elsewhere,
    set HSTS_MAX_AGE (e.g. 31622400). No includeSubDomains: a tool does not own the
    names under its host, and the proxy does not send it either.
    """
    max_age = int(current_app.config.get("HSTS_MAX_AGE") or 0)
    if max_age > 0 and current_app.config.get("HELPDESK_ENV") == "production" \
            and request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", f"max-age={max_age}")


# Cache-Control. A signed-out visitor's public page may be kept for a short while by the
# browser and shared caches, as long as the app's own per-process caches may keep what it
# shows (app/core/caches.py: DATA_CACHE_SECONDS, 60 s); the page depends on the language
# (session cookie, Accept-Language; ?uselang= is in the URL) and nothing else of the visitor.
# Everything else must never be stored: pages of signed-in people, private pages (sign-in,
# redirects to it, errors) and any answer that sets a cookie.
PRIVATE = "private, no-store"
DEFAULT_PUBLIC_CACHE_SECONDS = 60
PUBLIC_VARY = ("Cookie", "Accept-Language")
# Answers never stored, even for signed-out visitors: a health check is live, and the
# sign-in steps belong to one browser.
NEVER_STORED = frozenset({"main.healthz", "auth.login", "auth.oauth_callback"})


def _sets_cookie(response: Response) -> bool:
    """Whether the answer sets a cookie, also the session cookie Flask adds after us."""
    if "Set-Cookie" in response.headers:
        return True
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return bool(app.session_interface.should_set_cookie(app, session))


def _signed_in() -> bool:
    return g.get("user") is not None or "user_id" in session


def _public(response: Response) -> bool:
    return (request.method in ("GET", "HEAD") and response.status_code == 200
            and request.endpoint not in NEVER_STORED)


def set_cache_headers(response: Response) -> Response:
    """Cache-Control (and Vary) by who asked and what the answer is; see above."""
    if _sets_cookie(response):
        response.headers["Cache-Control"] = PRIVATE
    elif request.endpoint == "static":
        pass  # Flask's own: the same files for everyone, revalidated (ETag)
    elif _signed_in() or not _public(response):
        response.headers["Cache-Control"] = PRIVATE
    else:
        seconds = int(current_app.config.get("PUBLIC_CACHE_SECONDS",
                                             DEFAULT_PUBLIC_CACHE_SECONDS))
        response.headers["Cache-Control"] = f"public, max-age={seconds}"
        for header in PUBLIC_VARY:
            response.vary.add(header)
    return response


def init_app(app: Flask) -> None:
    """Secure cookies (Secure only in production, where we are behind HTTPS)."""
    production = app.config["HELPDESK_ENV"] == "production"
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        SESSION_COOKIE_NAME="helpdesk_session",
        PERMANENT_SESSION_LIFETIME=7 * 24 * 3600,
    )
    app.after_request(set_security_headers)
    # The last of the app's after-request functions (they run in reverse order): it must see
    # whether any of the others touched the session.
    app.after_request_funcs.setdefault(None, []).insert(0, set_cache_headers)
    app.request_class = HelpdeskRequest
