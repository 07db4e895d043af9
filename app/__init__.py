"""The Content Partnerships Helpdesk: a Flask application factory."""

from __future__ import annotations

import importlib
import logging
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from app.auth import sessions
from app.core import db, errors, i18n, ratelimit, security, templating
from app.core.config import check_production, load_config

csrf = CSRFProtect()

# Each feature's `views` module holds its blueprint (in this order of registration).
FEATURES = ("home", "auth", "admin", "intake", "cases", "dashboard", "queue", "public", "api",
            "preferences", "groups", "committee", "partners", "stats", "mail",
            "notifications", "wikicheck", "attachments", "people", "search", "attention",
            "meetings", "role_requests")
# Route modules that add a role's routes to their feature's blueprint.
MORE_ROUTES = ("app.cases.actions", "app.cases.canned_views", "app.groups.leads",
               "app.groups.manage")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment, with `config` applied on top."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(load_config())
    if config:
        app.config.update(config)
    check_production(app.config)
    if app.config["HELPDESK_ENV"] == "production":
        # Toolforge's front proxy terminates HTTPS and sets X-Forwarded-*.
        # The client address (rate limits key on it) is the one the proxy saw: addresses a
        # client puts in X-Forwarded-For itself, left of the proxy's, are ignored.
        x_for = int(app.config.get("PROXY_FIX_X_FOR", 1))
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=1, x_host=1)  # type: ignore[method-assign]
    logging.basicConfig(level=logging.INFO)

    db.init_app(app)
    sessions.init_app(app)  # before the CSRF check: a session whose roles changed is renewed
    csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)

    for module in MORE_ROUTES:
        importlib.import_module(module)  # their routes join a blueprint before it is registered
    blueprints = {feature: importlib.import_module(f"app.{feature}.views").bp
                  for feature in FEATURES}
    for blueprint in blueprints.values():
        app.register_blueprint(blueprint)
    csrf.exempt(blueprints["api"])  # read-only GET endpoints; no cookies needed
    ratelimit.init_app(app)  # after the blueprints: it wraps the views it limits

    from app.core.cli import register_cli

    register_cli(app)
    return app
