"""Security basics: headers, CSRF on every POST, cookies, production refusals, health."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.core.config import ConfigError
from dev.standin.server import RunningServer
from tests.conftest import app_config
from tests.helpers import SignIn


def test_security_headers_on_pages_and_errors(client: FlaskClient) -> None:
    for path in ["/", "/no-such-page", "/healthz"]:
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def post_routes(app: Flask) -> list[str]:
    """Every POST route of the app, with sample values for its arguments."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or set()):
            values = dict.fromkeys(rule.arguments, "1")
            paths.append(rule.build(values)[1])  # type: ignore[index]
    return paths


# Forms that give back what was typed when their token is missing or expired.
KEEPS_A_DRAFT = {"/requests/new"}
# A mail program's one-click unsubscribe (RFC 8058) has no session: its signed token
# stands for the CSRF token (tests/notifications/test_list_unsubscribe.py); "1" is none.
SIGNED_INSTEAD = {"/unwatch/1/one-click"}


def test_every_post_route_refuses_a_missing_csrf_token(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    routes = post_routes(app)
    assert "/logout" in routes and "/admin/roles/grant" in routes
    sign_in(client, "Admin Demo")
    for path in routes:
        response = client.post(path, data={"username": "x", "role": "admin"})
        if path in SIGNED_INSTEAD:
            assert response.status_code == 404, path
            continue
        assert response.status_code == 400, path
        page = response.get_data(as_text=True)
        if path in KEEPS_A_DRAFT:  # the form comes back with what was typed, nothing sent
            assert "This form had expired, so nothing was sent yet." in page, path
        else:
            assert "The form had expired" in page, path


def test_session_cookie_flags(client: FlaskClient, sign_in: SignIn) -> None:
    response = sign_in(client, "Ada Requester")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure(
    monkeypatch: pytest.MonkeyPatch, database_url: str, standin: RunningServer
) -> None:
    config = app_config(database_url, standin, HELPDESK_ENV="production")
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    app.extensions["database"].engine.dispose()


@pytest.mark.parametrize("key", ["dev-only-not-secret", "short", ""])
def test_production_refuses_to_start_without_a_real_secret(
    database_url: str, standin: RunningServer, key: str
) -> None:
    config = app_config(database_url, standin, HELPDESK_ENV="production", SECRET_KEY=key)
    with pytest.raises(ConfigError, match="SECRET_KEY is not set to a real secret"):
        create_app(config)


def test_production_from_environment_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HELPDESK_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("TOOL_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app()


def test_healthz(client: FlaskClient, database_url: str, standin: RunningServer) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"
    broken = create_app(
        app_config("mysql+pymysql://nobody@127.0.0.1:9/none", standin)
    )
    down = broken.test_client().get("/healthz")
    assert down.status_code == 503
    assert down.get_json()["database"] == "unreachable"


@pytest.mark.parametrize("code,path,method", [
    (404, "/no-such-page", "get"),
    (405, "/logout", "get"),
])
def test_error_pages_are_friendly_and_translated(
    client: FlaskClient, code: int, path: str, method: str
) -> None:
    english = getattr(client, method)(path)
    swedish = getattr(client, method)(path + "?uselang=sv")
    assert english.status_code == swedish.status_code == code
    assert 'class="error-page"' in english.get_data(as_text=True)
    assert english.get_data(as_text=True) != swedish.get_data(as_text=True)
    assert 'lang="sv"' in swedish.get_data(as_text=True)


def test_unexpected_error_is_a_friendly_500(app: Flask) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("kaboom")

    app.config["TESTING"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body
    assert "kaboom" not in body
