"""Test helpers: sign in through the real OAuth flow, read CSRF tokens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from app.core.db import get_session
from tests.html import field_value, hidden_fields, one

CONSUMER_KEY = "helpdesk-test-consumer"
CONSUMER_SECRET = "helpdesk-test-consumer-secret-0123456789"


def authorize_on_wiki(authorize_url: str, username: str, action: str = "allow") -> str:
    """Act as the browser on the wiki's consent page; return where it redirects to."""
    page = requests.get(authorize_url, timeout=10)
    page.raise_for_status()
    form = one(page.text, "form")
    data = hidden_fields(page.text)
    data["account"] = username
    data["action"] = action
    target = urljoin(authorize_url, str(form.get("action") or authorize_url))
    answer = requests.post(target, data=data, allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text[:500]
    return answer.headers["Location"]


def local_path(url: str) -> str:
    """The path and query of a URL, to replay it against the test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class SignIn:
    """Signs a test client in through /login → stand-in → /oauth-callback."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def start(self, client: FlaskClient, next_url: str | None = None) -> str:
        """Begin at /login; return the wiki's authorize URL."""
        query = {"next": next_url} if next_url else {}
        response = client.get("/login", query_string=query)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response.headers["Location"]

    def __call__(
        self, client: FlaskClient, username: str, next_url: str | None = None
    ) -> TestResponse:
        callback = authorize_on_wiki(self.start(client, next_url), username)
        response = client.get(local_path(callback))
        assert response.status_code == 302, response.get_data(as_text=True)[:800]
        return response


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on a page."""
    token = field_value(client.get(path).get_data(as_text=True), "csrf_token")
    assert token, f"no CSRF token on {path}"
    return token


@contextmanager
def app_session(app: Flask) -> Iterator[Session]:
    """A database session in an app context, committed at the end."""
    with app.app_context():
        db = get_session()
        yield db
        db.commit()


@contextmanager
def sql_statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app's engine sends meanwhile."""
    sent: list[str] = []
    engine = app.extensions["database"].engine

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", before)


def queries_for(app: Flask, client: FlaskClient, path: str) -> int:
    """How many SQL statements a successful GET of `path` sends."""
    with sql_statements(app) as sent:
        assert client.get(path).status_code == 200
    return len(sent)
