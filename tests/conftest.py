"""Shared fixtures: a migrated database, the OAuth stand-in over HTTP, the app.

The database is SQLite in a temporary folder, or the server named by
TEST_DATABASE_URL (CI runs the suite on MariaDB that way). It is migrated once
per session with Alembic and emptied after each test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from app import create_app
from app.core import caches, schema
from app.core.backup import SEEDED_TABLES  # rows the migrations create
from app.core.schema import metadata
from app.search.index import SEARCH_TEXTS
from dev.standin import create_standin_app
from dev.standin.server import RunningServer, serve_in_thread
from tests.helpers import CONSUMER_KEY, CONSUMER_SECRET, SignIn

TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"


@pytest.fixture(scope="session")
def standin_app() -> Flask:
    """The OAuth stand-in application (its state holds the testing knobs)."""
    return create_standin_app({CONSUMER_KEY: CONSUMER_SECRET})


@pytest.fixture(scope="session")
def standin(standin_app: Flask) -> Iterator[RunningServer]:
    """The OAuth stand-in, served on a free loopback port for the whole session."""
    server = serve_in_thread(standin_app)
    yield server
    server.shutdown()


@pytest.fixture
def standin_state(standin_app: Flask) -> Iterator[Any]:
    """The stand-in's mutable state (testing knobs), reset after each test."""
    state = standin_app.extensions["standin"]
    yield state
    state.reset()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database for the test session."""
    url = os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'helpdesk-test.sqlite3'}"
    )
    schema.upgrade(url)
    remember_seed_rows(url)
    return url


_SEEDED: dict[str, list[dict[str, Any]]] = {}


def remember_seed_rows(url: str) -> None:
    """Keep the rows the migrations seeded, to restore them after each test."""
    engine = create_engine(url)
    with engine.connect() as conn:
        for name in SEEDED_TABLES:
            table = metadata().tables[name]
            _SEEDED[name] = [dict(row._mapping) for row in conn.execute(table.select())]
    engine.dispose()


def empty_all_tables(url: str) -> None:
    """Remove every row (raw SQL: the ORM guard keeps audit events append-only),
    then put back what the migrations seeded."""
    engine = create_engine(url)
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("PRAGMA foreign_keys=OFF"))
        else:
            conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        # The search's own table (not a model) first: left over, a message of an
        # earlier test's case would be found as the new case with the same id.
        conn.execute(SEARCH_TEXTS.delete())
        for table in reversed(metadata().sorted_tables):
            conn.execute(table.delete())
        for name, rows in _SEEDED.items():
            if rows:
                conn.execute(metadata().tables[name].insert(), rows)
        if conn.dialect.name != "sqlite":
            conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))
    engine.dispose()
    # Changed by hand: no value cached before stays (on SQLite the next test's audit ids
    # start again, and could match the version a value was cached at).
    caches.invalidate()


def app_config(database_url: str, standin: RunningServer, **extra: Any) -> dict[str, Any]:
    """Configuration of the app under test."""
    config: dict[str, Any] = {
        "HELPDESK_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET_KEY,
        "DATABASE_URL": database_url,
        "OAUTH_MWURI": standin.mw_uri,
        "OAUTH_CONSUMER_KEY": CONSUMER_KEY,
        "OAUTH_CONSUMER_SECRET": CONSUMER_SECRET,
        "HELPDESK_ADMINS": ["Admin Demo"],
        # The rate limiter stays on, with limits the suite never reaches (every test
        # signs in from 127.0.0.1); tests/test_ratelimit.py checks the real defaults.
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        **GENEROUS_LIMITS,
    }
    config.update(extra)
    return config


GENEROUS_LIMITS = {
    "RATELIMIT_SIGN_IN": "100000/minute",
    "RATELIMIT_FILING": "100000/hour",
    "RATELIMIT_EMAIL_INTAKE": "100000/hour",
}


@pytest.fixture
def app(database_url: str, standin: RunningServer, standin_app: Flask) -> Iterator[Flask]:
    """The app, on the session's database, signing in through the stand-in."""
    application = create_app(app_config(database_url, standin))
    yield application
    application.extensions["database"].engine.dispose()
    empty_all_tables(database_url)
    standin_app.extensions["standin"].reset()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client (a browser with its own cookie jar)."""
    return app.test_client()


@pytest.fixture
def sign_in(app: Flask) -> SignIn:
    """sign_in(client, "Ada Requester") signs in through the stand-in over HTTP."""
    return SignIn(app)


@pytest.fixture
def repo_root() -> Path:
    """The repository's top folder."""
    return Path(__file__).resolve().parent.parent


@pytest.fixture
def make_app(database_url: str, standin: RunningServer,
             standin_app: Flask) -> Iterator[Callable[..., Flask]]:
    """make_app(EXTRA_LANGUAGES=[...]): the app with extra configuration (cleaned up)."""
    made: list[Flask] = []

    def factory(**extra: Any) -> Flask:
        application = create_app(app_config(database_url, standin, **extra))
        made.append(application)
        return application

    yield factory
    for application in made:
        application.extensions["database"].engine.dispose()
    empty_all_tables(database_url)
    standin_app.extensions["standin"].reset()
