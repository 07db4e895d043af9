"""Home page, health check and the static about pages."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask.typing import ResponseReturnValue

from app.core.db import get_database

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """What the helpdesk is and how to ask for help."""
    return render_template("index.html")


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    """What we store and who sees it."""
    return render_template("privacy.html")


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 when the database answers, 503 when it does not."""
    if get_database().ping():
        return jsonify({"status": "ok", "database": "ok"}), 200
    return jsonify({"status": "unavailable", "database": "unreachable"}), 503
