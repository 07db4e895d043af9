"""HTTP security headers, cookie settings, and control characters kept out of input."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask, Request, Response
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

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


class HelpdeskRequest(Request):
    """Every view reads cleaned `request.args` and `request.form` (and so every form),
    and the path is routed (and shown) without control characters."""

    parameter_storage_class = CleanMultiDict

    def __init__(self, environ: dict[str, Any], populate_request: bool = True,
                 shallow: bool = False) -> None:
        path = environ.get("PATH_INFO", "")
        if CONTROL_CHARACTERS.search(path):  # one byte each, also in WSGI's latin-1 form
            environ["PATH_INFO"] = CONTROL_CHARACTERS.sub("", path)
        super().__init__(environ, populate_request, shallow)

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
    app.request_class = HelpdeskRequest
