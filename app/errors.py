"""Friendly, translated error pages (and JSON errors under /api/)."""

from __future__ import annotations

import logging
from typing import NoReturn

from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from .db import discard_session

log = logging.getLogger(__name__)


def _texts(code: int) -> tuple[str, str]:
    texts = {
        400: (_("Bad request"), _("The request could not be understood. Please check what "
                                  "you entered and try again.")),
        401: (_("Not signed in"), _("Please sign in to see this page.")),
        403: (_("Not allowed"), _("You do not have permission to see this page or do this.")),
        404: (_("Page not found"), _("There is no page at this address. It may have moved, "
                                     "or the link may be wrong.")),
        405: (_("Method not allowed"), _("This page cannot be used that way.")),
        409: (_("Conflict"), _("This could not be done because the data changed or is in "
                               "another state. Reload the page and try again.")),
        413: (_("Too large"), _("What you sent is too large.")),
        429: (_("Too many requests"), _("You are doing that too often. Please wait a moment "
                                        "and try again.")),
        500: (_("Something went wrong"), _("An unexpected error happened on our side. It has "
                                           "been logged. Please try again later.")),
        503: (_("Temporarily unavailable"), _("The helpdesk cannot reach its database right "
                                              "now. Please try again in a few minutes.")),
    }
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


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[Response | str, int]:
        return render_error(400, _("The form had expired or was not sent from this site. "
                                   "Go back, reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response | str, int] | HTTPException:
        if exc.code is None or exc.code < 400:
            return exc
        detail = getattr(exc, "helpdesk_message", None)
        return render_error(exc.code, detail)

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def database_down(exc: Exception) -> tuple[Response | str, int]:
        log.error("database error: %s", exc)
        # The error page must not need the database: drop the broken session and the
        # user loaded through it (their roles would be lazy-loaded from it).
        discard_session()
        g.user = None
        return render_error(ServiceUnavailable.code)

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
