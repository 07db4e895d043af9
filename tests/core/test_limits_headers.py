"""Request-size limits (413, never echoing what was sent), Cache-Control on every GET
route for every kind of person, and Strict-Transport-Security."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.test import TestResponse

from app import create_app
from app.core.config import load_config
from app.core.security import PRIVATE
from dev.standin.server import RunningServer
from tests.case_client import hidden_fields
from tests.conftest import app_config
from tests.helpers import SignIn
from tests.system.test_authorization import (  # noqa: F401 - `world` is a fixture
    EXPECTED,
    ROLES,
    USERNAMES,
    path_for,
    world,
)

MIB = 1024 * 1024
SMALL_PAGE = 20_000  # bytes: an error page, whatever was sent
PUBLIC = "public, max-age=60"
# What a signed-out visitor may see from a shared cache for a minute: the GET pages
# everyone may see, but not the health check, the sign-in steps and the static files
# (Flask's own Cache-Control: no-cache, revalidated).
NOT_PUBLIC = {"/healthz", "/login", "/oauth-callback", "/static/<path:filename>"}
PUBLIC_FOR_VISITORS = {rule for (method, rule), expected in EXPECTED.items()
                       if method == "GET" and expected["anonymous"] == 200} - NOT_PUBLIC


# -- request sizes -------------------------------------------------------------------

def signed_in_token(client: FlaskClient, sign_in: SignIn) -> str:
    sign_in(client, "Ada Requester")
    return hidden_fields(client.get("/preferences").get_data(as_text=True))["csrf_token"]


def assert_refused_small(response: TestResponse) -> str:
    assert response.status_code == 413
    assert len(response.data) < SMALL_PAGE
    page = response.get_data(as_text=True)
    assert "x" * 100 not in page
    assert response.headers["Cache-Control"] == PRIVATE
    return page


def test_the_limits_have_small_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MAX_CONTENT_LENGTH", "MAX_FORM_MEMORY_SIZE", "MAX_FORM_PARTS",
                 "HSTS_MAX_AGE"):
        monkeypatch.delenv(name, raising=False)
    config = load_config()
    assert config["MAX_CONTENT_LENGTH"] == MIB
    assert config["MAX_FORM_MEMORY_SIZE"] == MIB // 2
    assert config["MAX_FORM_PARTS"] == 1000
    assert config["HSTS_MAX_AGE"] == 0
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "2048")
    assert load_config()["MAX_CONTENT_LENGTH"] == 2048


def test_a_30_mb_form_is_refused_with_a_small_page(client: FlaskClient,
                                                   sign_in: SignIn) -> None:
    token = signed_in_token(client, sign_in)
    response = client.post("/preferences", content_type="multipart/form-data",
                           data={"csrf_token": token, "email": "x" * (30 * MIB)})
    page = assert_refused_small(response)
    assert "Too large" in page
    assert "at most 1 MB" in page


def test_a_big_urlencoded_form_is_refused(client: FlaskClient, sign_in: SignIn) -> None:
    token = signed_in_token(client, sign_in)
    assert_refused_small(client.post("/preferences",
                                     data={"csrf_token": token, "email": "x" * (2 * MIB)}))


@pytest.mark.parametrize("content_type", ["multipart/form-data",
                                          "application/x-www-form-urlencoded"])
def test_one_field_over_its_limit_is_refused_not_echoed(
    client: FlaskClient, sign_in: SignIn, content_type: str
) -> None:
    token = signed_in_token(client, sign_in)
    field = "x" * (MIB // 2 + 1)  # the whole form is under MAX_CONTENT_LENGTH
    page = assert_refused_small(client.post("/preferences", content_type=content_type,
                                            data={"csrf_token": token, "email": field}))
    assert "Too large" in page


def test_a_refused_form_echoes_at_most_the_field_limit(client: FlaskClient,
                                                       sign_in: SignIn) -> None:
    token = signed_in_token(client, sign_in)
    response = client.post("/preferences",
                           data={"csrf_token": token, "email": "x" * (MIB // 2 - 10)})
    assert response.status_code == 400  # not an email address: the form, with its errors
    assert len(response.data) < MIB // 2 + SMALL_PAGE * 5


def test_too_many_parts_are_refused(client: FlaskClient, sign_in: SignIn) -> None:
    token = signed_in_token(client, sign_in)
    data: dict[str, Any] = {"csrf_token": token, "languages": ["en"] * 1200}
    assert_refused_small(client.post("/preferences", content_type="multipart/form-data",
                                     data=data))


def test_the_413_page_is_translated(client: FlaskClient) -> None:
    response = client.post("/preferences?uselang=sv", data={"email": "x" * (2 * MIB)})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "För stort" in page and 'lang="sv"' in page


def test_a_413_under_the_api_is_json(app: Flask) -> None:
    with app.test_request_context("/api/v1/cases", method="POST", data={"q": "x" * (2 * MIB)}):
        from flask import request

        with pytest.raises(RequestEntityTooLarge) as refused:
            _ = request.form
        response = app.make_response(app.handle_user_exception(refused.value))
    assert response.status_code == 413
    assert response.is_json
    body = response.get_json()
    assert body["error"]["code"] == 413
    assert "1 MB" in body["error"]["message"]


# -- Cache-Control ---------------------------------------------------------------------

def expected_cache_control(role: str, rule: str, response: TestResponse) -> str:
    if "Set-Cookie" in response.headers:
        return PRIVATE
    if rule == "/static/<path:filename>":
        return "no-cache"
    if role == "anonymous" and rule in PUBLIC_FOR_VISITORS:
        return PUBLIC
    return PRIVATE


@pytest.mark.parametrize("role", ROLES)
def test_cache_control_on_every_get_route(
    app: Flask, sign_in: SignIn, role: str,
    world: dict[str, Any],  # noqa: F811 - the fixture
) -> None:
    client = app.test_client()
    if role != "anonymous":
        response = sign_in(client, USERNAMES[role])
        assert "Set-Cookie" in response.headers
        assert response.headers["Cache-Control"] == PRIVATE
    failures = []
    for (method, rule), expected in sorted(EXPECTED.items()):
        if method != "GET":
            continue
        response = client.get(path_for(rule, world))
        assert response.status_code == expected[role], rule
        wanted = expected_cache_control(role, rule, response)
        if response.headers.get("Cache-Control") != wanted:
            failures.append(f"{rule}: {response.headers.get('Cache-Control')!r}, "
                            f"expected {wanted!r}")
        if wanted == PUBLIC:
            vary = {part.strip() for part in response.headers.get("Vary", "").split(",")}
            if not {"Cookie", "Accept-Language"} <= vary:
                failures.append(f"{rule}: Vary {response.headers.get('Vary')!r}")
    assert not failures, f"{role}:\n" + "\n".join(failures)


def test_every_public_page_is_cached_for_visitors_only(
    app: Flask,
    world: dict[str, Any],  # noqa: F811 - the fixture
) -> None:
    visitor = app.test_client()
    public = set()
    for rule in PUBLIC_FOR_VISITORS:
        visitor.get(path_for(rule, world))  # a first visit may start a session (a cookie)
        if visitor.get(path_for(rule, world)).headers.get("Cache-Control") == PUBLIC:
            public.add(rule)
    assert public == PUBLIC_FOR_VISITORS
    assert "/cases/<reference>" in public and "/api/v1/cases" in public


def test_an_answer_that_sets_a_cookie_is_never_stored(client: FlaskClient) -> None:
    response = client.get("/cases?uselang=sv")  # the choice is kept in the session
    assert "Set-Cookie" in response.headers
    assert response.headers["Cache-Control"] == PRIVATE
    again = client.get("/cases")  # the same visitor, nothing new to keep
    assert "Set-Cookie" not in again.headers
    assert again.headers["Cache-Control"] == PUBLIC


def test_head_follows_get(client: FlaskClient) -> None:
    assert client.head("/cases").headers["Cache-Control"] == PUBLIC
    assert client.head("/dashboard").headers["Cache-Control"] == PRIVATE


# -- Strict-Transport-Security ----------------------------------------------------------

def production_app(database_url: str, standin: RunningServer, **extra: Any) -> Flask:
    return create_app(app_config(database_url, standin, HELPDESK_ENV="production", **extra))


def sts(app: Flask, base_url: str) -> str | None:
    return app.test_client().get("/", base_url=base_url).headers.get(
        "Strict-Transport-Security")


def test_no_hsts_from_the_app_by_default(database_url: str, standin: RunningServer) -> None:
    app = production_app(database_url, standin)  # Toolforge's front proxy sends it
    assert sts(app, "https://cp-helpdesk.toolforge.org") is None
    app.extensions["database"].engine.dispose()


def test_hsts_when_configured_in_production_over_https(database_url: str,
                                                        standin: RunningServer) -> None:
    app = production_app(database_url, standin, HSTS_MAX_AGE=31622400)
    assert sts(app, "https://helpdesk.example.org") == "max-age=31622400"
    assert sts(app, "http://helpdesk.example.org") is None
    app.extensions["database"].engine.dispose()
    testing = create_app(app_config(database_url, standin, HSTS_MAX_AGE=31622400))
    assert sts(testing, "https://localhost") is None
    testing.extensions["database"].engine.dispose()
