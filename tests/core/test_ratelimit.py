"""Rate limits on signing in (per client address) and on filing requests (per user).

The limits are declared on the views (`@limiter.limit(...)`). The shared test
configuration keeps the limiter on with limits no test reaches; these tests build
the app with the real defaults (app/core/config.py) and run the real limiter
against them: N answers allowed, then 429 with Retry-After and the
translated error page, and nothing stored for a refused filing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_limiter.util import get_qualified_name
from limits import parse_many
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from app.cases.models import Case
from app.core.config import DEFAULT_FILING_LIMIT, DEFAULT_SIGN_IN_LIMIT
from app.core.db import get_session
from app.core.i18n import TRANSLATIONS_DIR
from app.core.ratelimit import limiter
from app.partners.models import Organisation
from tests.factories import make_user
from tests.helpers import SignIn, csrf_token
from tests.html import one, text_of
from tests.intake.support import form_data
from tests.pseudo import PSEUDO_LOCALE, build, pseudo

REAL_LIMITS = {"RATELIMIT_SIGN_IN": DEFAULT_SIGN_IN_LIMIT,
               "RATELIMIT_FILING": DEFAULT_FILING_LIMIT}
SIGN_IN_PER_MINUTE = int(DEFAULT_SIGN_IN_LIMIT.split(";")[0].split("/")[0])  # 10
FILINGS_PER_HOUR = int(DEFAULT_FILING_LIMIT.split(";")[0].split("/")[0])  # 5


@pytest.fixture(scope="module")
def pseudo_translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pseudo-locale catalogue (every source message visibly "translated")."""
    folder = tmp_path_factory.mktemp("pseudo")
    build(Path(__file__).resolve().parents[2], folder)
    return folder


@pytest.fixture
def limited_app(make_app: Callable[..., Flask],
                pseudo_translations: Path) -> Callable[..., Flask]:
    """limited_app(**config): the app with the real default limits (and the pseudo-locale)."""

    def factory(**extra: Any) -> Flask:
        return make_app(**{**REAL_LIMITS,
                           "BABEL_TRANSLATION_DIRECTORIES":
                               f"{TRANSLATIONS_DIR};{pseudo_translations}",
                           "EXTRA_LANGUAGES": [PSEUDO_LOCALE], **extra})

    return factory


def from_address(app: Flask, address: str) -> FlaskClient:
    """A browser whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def assert_too_many(response: TestResponse, message: str, longest_wait: int) -> str:
    """A 429 error page with Retry-After (1..longest_wait s) and the message; the page."""
    assert response.status_code == 429, response.status_code
    retry_after = response.headers.get("Retry-After", "")
    assert retry_after.isdigit(), retry_after
    assert 1 <= int(retry_after) <= longest_wait, retry_after
    html = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert text_of(one(html, "h1")) == "Too many requests", html[:2000]
    assert message in " ".join(html.split()), html[:3000]
    return html


# -- signing in: per client address -------------------------------------------------

def test_sign_in_start_is_limited_per_address(limited_app: Callable[..., Flask]) -> None:
    app = limited_app()
    client = from_address(app, "192.0.2.10")
    for attempt in range(SIGN_IN_PER_MINUTE):
        assert client.get("/login").status_code == 302, attempt
    refused = client.get("/login")
    html = assert_too_many(refused, "too many attempts to sign in from your network", 60)
    assert "Location" not in refused.headers  # not sent to the wiki
    assert 'href="/"' in html  # a way on from the error page
    # Another address is counted on its own.
    assert from_address(app, "192.0.2.11").get("/login").status_code == 302
    # And the first one is still refused.
    assert client.get("/login").status_code == 429


def test_sign_in_callback_is_limited_per_address(limited_app: Callable[..., Flask]) -> None:
    app = limited_app()
    client = from_address(app, "192.0.2.20")
    for attempt in range(SIGN_IN_PER_MINUTE):
        # No answer from the wiki: the "you cancelled" page — every attempt counts.
        assert client.get("/oauth-callback").status_code == 200, attempt
    assert_too_many(client.get("/oauth-callback"), "Please wait", 60)
    assert from_address(app, "192.0.2.21").get("/oauth-callback").status_code == 200


def test_signing_in_counts_towards_the_limit(limited_app: Callable[..., Flask]) -> None:
    """A whole sign-in through the wiki uses one /login and one /oauth-callback."""
    app = limited_app()
    sign_in = SignIn(app)
    with app.app_context():
        make_user(get_session(), "Ada Requester")
        get_session().commit()
    for _ in range(SIGN_IN_PER_MINUTE):
        client = app.test_client()  # 127.0.0.1, like every test client
        sign_in(client, "Ada Requester")
        assert client.get("/requests/mine").status_code == 200
    assert app.test_client().get("/login").status_code == 429


def test_the_proxy_address_is_used_in_production(limited_app: Callable[..., Flask]) -> None:
    """Behind Toolforge's proxy the client is the last X-Forwarded-For entry; addresses
    a client adds to the header itself do not give it a new allowance."""
    app = limited_app(HELPDESK_ENV="production")
    client = app.test_client()
    for attempt in range(SIGN_IN_PER_MINUTE):
        spoofed = f"203.0.113.{attempt}, 198.51.100.7"
        answer = client.get("/login", headers={"X-Forwarded-For": spoofed})
        assert answer.status_code == 302, attempt
    refused = client.get("/login", headers={"X-Forwarded-For": "203.0.113.99, 198.51.100.7"})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"].isdigit()
    other = client.get("/login", headers={"X-Forwarded-For": "198.51.100.8"})
    assert other.status_code == 302


def test_the_refusal_is_translated(limited_app: Callable[..., Flask]) -> None:
    app = limited_app()
    client = from_address(app, "192.0.2.30")
    for _ in range(SIGN_IN_PER_MINUTE):
        client.get("/login")
    refused = client.get(f"/login?uselang={PSEUDO_LOCALE}")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"].isdigit()
    html = refused.get_data(as_text=True)
    assert f'lang="{PSEUDO_LOCALE}"' in html
    # The title, the message and the wait are all in the page language: the
    # pseudo-locale marks every translated message ⟦…⟧.
    assert re.fullmatch(r"⟦[^⟧]*⟧", text_of(one(html, "h1"))), html[:2000]
    assert pseudo("There were too many attempts to sign in")[:-1] in html, html[:3000]
    # The wait, in CLDR's Esperanto (the pseudo-locale's real language).
    assert re.search(r"Þĺéášé ŵáíţ \d+ (minuto|sekundoj)", html), html[:3000]
    assert "too many attempts" not in html


# -- filing: per signed-in user ------------------------------------------------------

def _file(client: FlaskClient, number: int, **overrides: Any) -> TestResponse:
    token = csrf_token(client, "/requests/new")
    values = {"title": f"Request number {number}", "org_name": f"Museum number {number}",
              "org_wikidata": "", **overrides}
    data = form_data(token, **values)
    return client.post("/requests/new", data=data)


def _counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        db = get_session()
        return (db.scalar(select(func.count(Case.id))) or 0,
                db.scalar(select(func.count(Organisation.id))) or 0)


def test_filing_is_limited_per_user(limited_app: Callable[..., Flask]) -> None:
    app = limited_app()
    sign_in = SignIn(app)
    ada, omar = app.test_client(), app.test_client()
    sign_in(ada, "Ada Requester")
    sign_in(omar, "Omar Requester")
    # A form with a mistake is not a filed request: it does not count.
    for attempt in range(FILINGS_PER_HOUR + 1):
        assert _file(ada, 100 + attempt, title="").status_code == 400
    for number in range(FILINGS_PER_HOUR):
        answer = _file(ada, number)
        assert answer.status_code == 302, answer.get_data(as_text=True)[:1500]
    assert _counts(app) == (FILINGS_PER_HOUR, FILINGS_PER_HOUR)

    refused = _file(ada, 99)
    assert_too_many(refused, f"You have filed {FILINGS_PER_HOUR} requests in 1 hour", 3600)
    assert int(refused.headers["Retry-After"]) > 3000
    assert "This one was not saved" in refused.get_data(as_text=True)
    # Nothing of the refused request was stored: no case, no new organisation.
    assert _counts(app) == (FILINGS_PER_HOUR, FILINGS_PER_HOUR)
    # Reading the form is not limited; only sending it.
    assert ada.get("/requests/new").status_code == 200
    # Another user has their own allowance.
    assert _file(omar, 50).status_code == 302
    assert _counts(app) == (FILINGS_PER_HOUR + 1, FILINGS_PER_HOUR + 1)


def test_email_intake_is_limited_per_staff_member(limited_app: Callable[..., Flask]) -> None:
    app = limited_app(RATELIMIT_EMAIL_INTAKE="2/hour")
    with app.app_context():
        make_user(get_session(), "Sven Helpdesk", "helpdesk")
        get_session().commit()
    sven = app.test_client()
    SignIn(app)(sven, "Sven Helpdesk")

    def log(number: int) -> TestResponse:
        token = csrf_token(sven, "/requests/log-email")
        data = form_data(token, title=f"Emailed request {number}",
                         org_name=f"Archive number {number}", org_wikidata="",
                         original_email="Dear helpdesk, …")
        return sven.post("/requests/log-email", data=data)

    assert log(1).status_code == 302
    assert log(2).status_code == 302
    assert_too_many(log(3), "You have logged 2 requests from emails in 1 hour", 3600)
    assert _counts(app)[0] == 2
    # Staff filing through "Ask for help" have that allowance too, separately.
    assert _file(sven, 7).status_code == 302


# -- configuration -------------------------------------------------------------------

LIMITED = {"auth.login", "auth.oauth_callback", "intake.new_request", "intake.log_email"}


def test_the_limits_are_declared_on_the_views_they_guard(
    limited_app: Callable[..., Flask],
) -> None:
    """Exactly the sign-in views and the two filing views carry `@limiter.limit`,
    each with the limit its setting holds."""
    app = limited_app()
    decorated = {endpoint for endpoint, view in app.view_functions.items()
                 if getattr(view, "__wrapper-limiter-instance", None) == limiter}
    assert decorated == LIMITED
    with app.test_request_context():
        for endpoint in LIMITED:
            view = app.view_functions[endpoint].__wrapped__  # type: ignore[union-attr]
            limits = limiter.limit_manager.decorated_limits(get_qualified_name(view))
            setting = "RATELIMIT_SIGN_IN" if endpoint.startswith("auth.") else (
                "RATELIMIT_FILING" if endpoint == "intake.new_request"
                else "RATELIMIT_EMAIL_INTAKE")
            expected = parse_many(str(app.config[setting]))
            assert [limit.limit for limit in limits] == expected, endpoint



def test_limits_can_be_switched_off(limited_app: Callable[..., Flask]) -> None:
    app = limited_app(RATELIMIT_ENABLED="false")
    client = from_address(app, "192.0.2.40")
    for _ in range(SIGN_IN_PER_MINUTE + 2):
        assert client.get("/login").status_code == 302


def test_a_mistyped_limit_stops_the_app_at_start(limited_app: Callable[..., Flask]) -> None:
    with pytest.raises(ValueError):
        limited_app(RATELIMIT_FILING="five an hour")
