"""A bare Flask app: the baseline throughput the Helpdesk's pages are compared with.

Served by the same gunicorn settings: `gunicorn ... 'dev.bench.hello_app:create_app()'`.
"""

from __future__ import annotations

from flask import Flask


def create_app() -> Flask:
    """One route that answers a short HTML page; nothing else."""
    app = Flask(__name__)

    @app.get("/")
    def hello() -> str:
        return "<!doctype html><title>Hello</title><p>Hello, world!</p>"

    @app.get("/healthz")
    def healthz() -> tuple[dict[str, str], int]:
        return {"status": "ok"}, 200

    return app
