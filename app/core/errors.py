"""Friendly, translated error pages (and JSON errors under /api/)."""

from __future__ import annotations

import logging
from typing import NoReturn

from babel.units import format_unit
from flask import Flask, Response, g, jsonify, make_response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    RequestEntityTooLarge,
    ServiceUnavailable,
)

from app.core.db import discard_session, get_session

log = logging.getLogger(__name__)


def _texts(code: int) -> tuple[str, str]:
    texts = {
        # Translators: the title of an error page (HTTP 400); short, like a heading.
        400: (_("Bad request"), _("The request could not be understood. Please check what "
                                  "you entered and try again.")),
        # Translators: the title of an error page (HTTP 401); short, like a heading.
        401: (_("Not signed in"), _("Please sign in to see this page.")),
        # Translators: the title of an error page (HTTP 403); short, like a heading. The person
        # lacks permission.
        403: (_("Not allowed"), _("You do not have permission to see this page or do this.")),
        # Translators: the title of an error page (HTTP 404); short, like a heading.
        404: (_("Page not found"), _("There is no page at this address. It may have moved, "
                                     "or the link may be wrong.")),
        # Translators: the title of an error page (HTTP 405); short, like a heading. The page was
        # used in a way it does not support (e.g. sending a form to a page that only shows).
        405: (_("Method not allowed"), _("This page cannot be used that way.")),
        # Translators: the title of an error page (HTTP 409); short, like a heading. The data
        # changed meanwhile or is in another state (not a dispute between people).
        409: (_("Conflict"), _("This could not be done because the data changed or is in "
                               "another state. Reload the page and try again.")),
        # Translators: the title of an error page (HTTP 413); short, like a heading. What was sent
        # (e.g. a form) is too big.
        413: (_("Too large"), _("What you sent is too large.")),
        # Translators: the title of an error page (HTTP 429); short, like a heading. 'Requests'
        # means page loads or form submissions here, not requests for help.
        429: (_("Too many requests"), _("You are doing that too often. Please wait a moment "
                                        "and try again.")),
        # Translators: the title of an error page (HTTP 500); short, like a heading.
        500: (_("Something went wrong"), _("An unexpected error happened on our side. It has "
                                           "been logged. Please try again later.")),
        # Translators: the title of an error page (HTTP 503); short, like a heading.
        503: (_("Temporarily unavailable"), _("The helpdesk cannot reach its database right "
                                              "now. Please try again in a few minutes.")),
    }
    # Translators: the title of an error page for any other HTTP error.
    return texts.get(code, (_("Error"), _("Something went wrong.")))


def render_error(code: int, detail: str | None = None) -> tuple[Response | str, int]:
    """An error page (HTML) or error object (JSON under /api/)."""
    title, message = _texts(code)
    if request.path.startswith("/api/"):
        body = {"error": {"code": code, "title": title, "message": detail or message}}
        response = jsonify(body)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response, code
    return render_template("error.html", code=code, title=title, message=message,
                           detail=detail), code


def _size(size: int) -> str:
    """A size in bytes as the reader's language writes it, e.g. '1 MB', '512 ko'."""
    locale = str(get_locale() or "en")
    if size >= 1_000_000:
        return format_unit(size / 1_048_576, "digital-megabyte", length="short",
                           format="#,##0.#", locale=locale)
    return format_unit(size / 1024, "digital-kilobyte", length="short", format="#,##0",
                       locale=locale)


def too_large_message() -> str | None:
    """What a 413 says when the request was bigger than the whole limit (None otherwise:
    a field or the number of parts was over its own limit, and the general text fits)."""
    limit, length = request.max_content_length, request.content_length
    if not limit or not length or length <= limit:
        return None
    # Translators: an error page's text when what was sent (e.g. a form) is too big; %(limit)s
    # is a size such as '1 MB'.
    return _("What you sent is larger than this site accepts at a time (at most %(limit)s). "
             "Shorten it and try again.", limit=_size(limit))


def csrf_refused() -> tuple[Response | str, int]:
    """The 400 page for a form whose security token was missing or too old (a blueprint
    may answer its own forms otherwise, e.g. the request form keeps what was typed)."""
    if g.get("session_renewed"):
        # Translators: an error when a form was sent from a page opened before the person's
        # roles changed.
        return render_error(400, _("Your roles on the helpdesk changed since this page "
                                   "was loaded, so what you sent was not saved. Go back, "
                                   "reload the page and try again."))
    # Translators: shown when a form's security token is missing or too old (CSRF check).
    return render_error(400, _("The form had expired or was not sent from this site. "
                               "Go back, reload the page and try again."))


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge) -> Response:
        # Nothing of what was sent is read again or shown back: the same small page (or
        # JSON object under /api/) whatever came.
        return make_response(render_error(413, too_large_message()))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[Response | str, int]:
        return csrf_refused()

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response | HTTPException:
        if exc.code is None or exc.code < 400:
            return exc
        detail = getattr(exc, "helpdesk_message", None)
        response = make_response(render_error(exc.code, detail))
        # Keep what the exception says besides its body: Allow on a 405 (RFC 9110),
        # Retry-After on a 429 or 503, WWW-Authenticate on a 401.
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_down(exc: Exception) -> tuple[Response | str, int]:
        log.error("database error: %s", exc)
        # The error page must not need the database: drop the broken session and the
        # user loaded through it (their roles would be lazy-loaded from it).
        discard_session()
        g.user = None
        return render_error(ServiceUnavailable.code)

    @app.errorhandler(DataError)
    def value_refused(exc: DataError) -> tuple[Response | str, int]:
        # The database is there but refused a value (too long, out of range): the
        # forms should have caught it; say so instead of "database unreachable".
        log.error("the database refused a value on %s %s: %s", request.method, request.path,
                  exc)
        try:
            get_session().rollback()
        except Exception:  # noqa: BLE001 - then start from a clean slate
            discard_session()
            g.user = None
        return render_error(400, _("Something you entered is too long or not in the form "
                                   "expected, so nothing was saved. Please check it and "
                                   "try again."))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[Response | str, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError.code)


def fail(code: int, message: str) -> NoReturn:
    """Stop the request with an HTTP error and a specific, translated message."""
    from werkzeug.exceptions import default_exceptions

    exc = default_exceptions[code]()
    exc.helpdesk_message = message  # type: ignore[attr-defined]
    raise exc


class Refused(Exception):
    """A change a feature's service refused: `message` says why, in the reader's
    language, and `status` is the HTTP status that fits (400, 403, 404 or 409)."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
