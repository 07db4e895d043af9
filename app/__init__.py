"""The Content Partnerships Helpdesk: a Flask application factory."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from . import db, errors, i18n, ratelimit, security, templating
from .auth import sessions
from .config import check_production, load_config

csrf = CSRFProtect()


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

    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .cases import bp as cases_bp
    from .committee import bp as committee_bp
    from .dashboard import bp as dashboard_bp
    from .groups import bp as groups_bp
    from .intake import bp as intake_bp
    from .main import bp as main_bp
    from .partners import bp as partners_bp
    from .preferences import bp as preferences_bp
    from .public import bp as public_bp
    from .stats import bp as stats_bp

    for blueprint in (main_bp, auth_bp, admin_bp, intake_bp, cases_bp, dashboard_bp,
                      public_bp, api_bp, preferences_bp, groups_bp, committee_bp, partners_bp,
                      stats_bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # read-only GET endpoints; no cookies needed
    ratelimit.init_app(app)  # after the blueprints: it wraps the views it limits

    from .cli import register_cli

    register_cli(app)
    return app
