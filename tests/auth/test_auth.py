"""Sign-in with Wikimedia accounts: the real mwoauth client against the stand-in."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth.models import User
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from dev.standin.accounts import DemoAccount
from tests.helpers import SignIn, authorize_on_wiki, csrf_token, local_path


def users(app: Flask) -> list[User]:
    with app.app_context():
        return list(get_session().scalars(select(User).order_by(User.id)).all())


def test_full_sign_in_creates_user_and_returns_to_page(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    response = sign_in(client, "Ada Requester", next_url="/privacy")
    assert response.headers["Location"] == "/privacy"
    page = client.get("/privacy").get_data(as_text=True)
    assert "Signed in as Ada Requester" in page
    [user] = users(app)
    assert (user.central_id, user.username, user.blocked) == (1001, "Ada Requester", False)


def test_sign_in_keeps_no_oauth_tokens_in_session(client: FlaskClient, sign_in: SignIn) -> None:
    sign_in(client, "Ada Requester")
    with client.session_transaction() as session:
        assert set(session.keys()) <= {"user_id", "central_id", "sid", "language", "_flashes",
                                       "_permanent", "csrf_token", "roles"}
        assert "oauth_request_token" not in session


def test_renamed_account_stays_the_same_user(
    app: Flask, client: FlaskClient, sign_in: SignIn, standin_state: Any
) -> None:
    sign_in(client, "Ada Requester")
    standin_state.add_account(DemoAccount(
        username="Ada Renamed", central_id=1001, description="renamed", editcount=5,
        confirmed_email=True, blocked=False, registered="20200101000000",
        groups=("*", "user"),
    ))
    other = app.test_client()
    sign_in(other, "Ada Renamed")
    [user] = users(app)
    assert user.username == "Ada Renamed"
    with app.app_context():
        actions = get_session().scalars(select(AuditEvent.action)).all()
    assert "user.update" in actions


def test_session_is_new_after_sign_in(client: FlaskClient, sign_in: SignIn) -> None:
    client.get("/?uselang=sv")
    with client.session_transaction() as session:
        session["planted_by_attacker"] = "x"
    sign_in(client, "Ada Requester")
    with client.session_transaction() as session:
        assert "planted_by_attacker" not in session
        assert session["language"] == "sv"


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
     "http:/evil.example", "evil"],
)
def test_next_never_leaves_the_site(client: FlaskClient, sign_in: SignIn, target: str) -> None:
    response = sign_in(client, "Ada Requester", next_url=target)
    assert response.headers["Location"] == "/"


def test_logout_needs_post_with_csrf(client: FlaskClient, sign_in: SignIn) -> None:
    sign_in(client, "Ada Requester")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert "Signed in as" in client.get("/").get_data(as_text=True)
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert "Signed in as" not in client.get("/").get_data(as_text=True)


def test_blocked_user_signs_in_and_is_told_why(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    sign_in(client, "Blocked Example")
    page = client.get("/").get_data(as_text=True)
    assert "Signed in as Blocked Example" in page
    assert "account is blocked" in page
    [user] = users(app)
    assert user.blocked


def test_cancel_on_the_wiki(app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    callback = authorize_on_wiki(sign_in.start(client), "Ada Requester", action="cancel")
    response = client.get(local_path(callback))
    assert response.status_code == 200
    assert "You cancelled signing in" in response.get_data(as_text=True)
    assert users(app) == []


def test_callback_without_request_token(app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    callback = authorize_on_wiki(sign_in.start(client), "Ada Requester")
    fresh = app.test_client()  # another browser: no request token in its session
    response = fresh.get(local_path(callback))
    assert response.status_code == 400
    assert "expired or was already used" in response.get_data(as_text=True)
    assert users(app) == []


def test_replayed_callback_is_refused(app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    callback = authorize_on_wiki(sign_in.start(client), "Ada Requester")
    assert client.get(local_path(callback)).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    replay = client.get(local_path(callback))
    assert replay.status_code == 400
    assert "Signed in as" not in client.get("/").get_data(as_text=True)


def test_callback_for_another_attempt_is_refused(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    first = authorize_on_wiki(sign_in.start(client), "Ada Requester")
    victim = app.test_client()
    sign_in.start(victim)  # victim's own attempt; attacker sends them the first callback
    response = victim.get(local_path(first))
    assert response.status_code == 400
    assert users(app) == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": time.time() - 3600, "iat": time.time() - 3700},
        {"aud": "another-consumer"},
        {"iss": "http://impostor.example"},
        {"nonce": "not-the-request-nonce"},
        {"exp": None},
    ],
    ids=["expired", "other-consumer", "wrong-issuer", "wrong-nonce", "no-expiry"],
)
def test_bad_identity_is_refused(
    app: Flask, client: FlaskClient, sign_in: SignIn, standin_state: Any,
    overrides: dict[str, Any],
) -> None:
    standin_state.identify_overrides.update(overrides)
    callback = authorize_on_wiki(sign_in.start(client), "Ada Requester")
    response = client.get(local_path(callback))
    assert response.status_code == 401
    assert "could not be verified" in response.get_data(as_text=True)
    assert users(app) == []


def test_identity_signed_with_another_secret_is_refused(
    app: Flask, client: FlaskClient, sign_in: SignIn, standin_state: Any
) -> None:
    standin_state.identify_signing_secret = "someone-elses-secret-that-is-long-enough"
    callback = authorize_on_wiki(sign_in.start(client), "Ada Requester")
    assert client.get(local_path(callback)).status_code == 401
    assert users(app) == []


def test_wiki_down_gives_a_friendly_page(app: Flask) -> None:
    app.config["OAUTH_MWURI"] = "http://127.0.0.1:9/w/index.php"  # discard port: nothing there
    response = app.test_client().get("/login")
    assert response.status_code == 502
    assert "could not be reached" in response.get_data(as_text=True)


def test_failures_are_translated(app: Flask) -> None:
    app.config["OAUTH_MWURI"] = "http://127.0.0.1:9/w/index.php"
    response = app.test_client().get("/login?uselang=sv")
    assert response.status_code == 502
    assert "could not be reached" not in response.get_data(as_text=True)
    assert 'lang="sv"' in response.get_data(as_text=True)


def test_failures_are_logged(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    app.config["OAUTH_MWURI"] = "http://127.0.0.1:9/w/index.php"
    app.test_client().get("/login")
    assert any("sign-in failed (wiki_unreachable)" in rec.getMessage() for rec in caplog.records)
