"""Home page, health check and the static about pages."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, render_template
from flask.typing import ResponseReturnValue

from app.core.db import get_database, get_session
from app.groups.queries import work_waiting

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """What the helpdesk is and how to ask for help; for members of working groups,
    what waits for their groups' answer."""
    user = g.get("user")
    group_work = work_waiting(get_session(), user) if user is not None else None
    return render_template("index.html", group_work=group_work)


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    """What we store and who sees it."""
    return render_template("privacy.html")


@bp.get("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """The icon, where browsers and feed readers look for it when a page names none
    (every page names static/favicon.svg)."""
    return current_app.send_static_file("favicon.ico")


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 when the database answers, 503 when it does not."""
    if get_database().ping():
        return jsonify({"status": "ok", "database": "ok"}), 200
    return jsonify({"status": "unavailable", "database": "unreachable"}), 503
