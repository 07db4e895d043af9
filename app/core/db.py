"""The database: one engine per app, one session per request.

Plain SQLAlchemy 2.0. `get_session()` hands out the request's session; it is
closed (and anything uncommitted rolled back) when the request ends.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.routing import IntegerConverter, Map

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5  # seconds, for MySQL/MariaDB
# The largest id an INTEGER primary key holds on MariaDB (signed INT); SQLite refuses
# numbers past 2**63 outright, so larger numbers from a request must never reach a query.
MAX_ID = 2**31 - 1


def as_id(value: object) -> int | None:
    """A row id sent by a client: a whole number from 1 to MAX_ID, else None (no row)."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class IdConverter(IntegerConverter):
    """``<int:…>`` in routes: only numbers an id column can hold (a larger one is a 404)."""

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = None, signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits, min, MAX_ID if max is None else max, signed)


class Database:
    """Engine and session factory for one application."""

    def __init__(self, url: str, pool_recycle: int = 280) -> None:
        self.url = url
        options: dict[str, Any] = {"pool_pre_ping": True, "future": True}
        if url.startswith("sqlite"):
            options["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            # Recycle below ToolsDB's wait_timeout so the pool never hands out a
            # connection the server has already dropped.
            options["pool_recycle"] = pool_recycle
            if url.startswith("mysql"):
                # A server that is down or unreachable fails fast (503) instead of
                # holding the request for PyMySQL's default of 10 s.
                options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
        self.engine: Engine = create_engine(url, **options)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    def ping(self) -> bool:
        """True when a trivial query succeeds."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            return False


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def init_app(app: Flask) -> Database:
    """Attach a Database to the app and close sessions after each request."""
    database = Database(app.config["DATABASE_URL"], app.config.get("DB_POOL_RECYCLE", 280))
    app.extensions["database"] = database
    app.url_map.converters["int"] = IdConverter  # before any route is added

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    return database


def get_database() -> Database:
    """The current app's Database."""
    return current_app.extensions["database"]  # type: ignore[no-any-return]


def discard_session() -> None:
    """Drop the request's session after a database error (a new one is made if needed)."""
    session = g.pop("db_session", None)
    if session is not None:
        try:
            session.close()
        except Exception:  # the connection may already be gone
            log.warning("could not close the session after a database error", exc_info=True)


def get_session() -> Session:
    """The session of the current request (or app context)."""
    if "db_session" not in g:
        g.db_session = get_database().sessionmaker()
    return g.db_session  # type: ignore[no-any-return]


def commit_work() -> None:
    """Commit the request's unit of work. Views call this once, after the service calls
    that made the changes (services never commit: they write in the caller's
    transaction, so a change, its audit event and its outbox rows land together)."""
    get_session().commit()


def discard_work() -> None:
    """Roll back the request's unit of work (a refused change leaves nothing behind)."""
    get_session().rollback()
