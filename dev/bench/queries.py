"""In-process measurement with the Flask test client on the seeded database.

`count_queries()` counts the SQL statements each page sends (a SQLAlchemy
`before_cursor_execute` listener); `profile_page()` runs a page under cProfile and
times every statement, with the query plan of the slowest ones, to show what holds
a page back.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from app import create_app
from app.auth.models import User
from app.auth.service import open_session
from app.core.db import get_session
from dev.bench.settings import app_settings
from dev.bench.uncached import NOTHING_CACHED


@dataclass
class Statement:
    """One SQL statement sent during a request."""

    sql: str
    params: Any
    seconds: float = 0.0


@dataclass
class Recorder:
    """Collects the statements the engine executes while `active`."""

    active: bool = False
    statements: list[Statement] = field(default_factory=list)
    _started: float = 0.0

    def attach(self, app: Flask) -> None:
        engine = app.extensions["database"].engine
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, _conn: Any, _cursor: Any, statement: str, parameters: Any,
                _context: Any, _executemany: bool) -> None:
        if self.active:
            self.statements.append(Statement(statement, parameters))
            self._started = time.perf_counter()

    def _after(self, *_args: Any) -> None:
        if self.active and self.statements:
            self.statements[-1].seconds = time.perf_counter() - self._started

    @contextmanager
    def recording(self) -> Iterator[list[Statement]]:
        self.statements = []
        self.active = True
        try:
            yield self.statements
        finally:
            self.active = False


def bench_app(database_url: str, standin_uri: str) -> tuple[Flask, Recorder]:
    """The app as production configures it (from settings) but with its per-process
    caches off (bench/uncached.py), so that statements are counted and profiled as a
    request sends them when nothing is cached; plus a statement recorder."""
    app = create_app({**app_settings(database_url, standin_uri), **NOTHING_CACHED})
    recorder = Recorder()
    recorder.attach(app)
    return app, recorder


def signed_in_client(app: Flask, central_id: int) -> FlaskClient:
    """A test client whose session belongs to the user with `central_id`."""
    with app.app_context():
        db = get_session()
        user = db.scalars(select(User).where(User.central_id == central_id)).one()
        user_id = user.id
        sid = open_session(db, user, app.permanent_session_lifetime)  # the server's record
        db.commit()
    client = app.test_client()
    with client.session_transaction(base_url="https://localhost") as session:
        session["user_id"] = user_id
        session["central_id"] = central_id
        session["sid"] = sid
    return client


def _get(client: FlaskClient, path: str) -> int:
    response = client.get(path, base_url="https://localhost")
    response.get_data()
    status = response.status_code
    response.close()
    return status


def count_queries(app: Flask, recorder: Recorder, client: FlaskClient,
                  pages: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    """For each page: SQL statements per request (max over its paths, after a warm-up)."""
    results: dict[str, dict[str, Any]] = {}
    for name, paths in pages.items():
        per_path: dict[str, int] = {}
        for path in paths:
            if _get(client, path) != 200:
                raise RuntimeError(f"{path} did not answer 200 in-process")
            with recorder.recording() as statements:
                status = _get(client, path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status} in-process")
            per_path[path] = len(statements)
        results[name] = {"max": max(per_path.values()), "per_path": per_path}
    return results


_SPACES = re.compile(r"\s+")


def _shape(sql: str) -> str:
    """A statement with its IN-lists folded, to group repeats of the same query."""
    return re.sub(r"\((?:\s*(?:\?|%s|%\(\w+\)s)\s*,?)+\)", "(…)", _SPACES.sub(" ", sql)).strip()


def brief(shape: str) -> str:
    """A statement without its column list: `SELECT … FROM cases JOIN … ORDER BY …`."""
    head, found, rest = shape.partition(" FROM ")
    return (f"{head.split(' ', 1)[0]} … FROM {rest}" if found else shape)[:400]


def explain(app: Flask, statement: Statement) -> list[str]:
    """The database's plan for a recorded statement."""
    engine = app.extensions["database"].engine
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + statement.sql, statement.params).all()
    return [" | ".join("" if value is None else str(value) for value in row) for row in rows]


def profile_page(app: Flask, recorder: Recorder, client: FlaskClient, paths: list[str],
                 rounds: int = 10) -> dict[str, Any]:
    """Time `rounds` requests of each path under cProfile; the heaviest SQL and code."""
    for path in paths:
        _get(client, path)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    with recorder.recording() as statements:
        profiler.enable()
        for _ in range(rounds):
            for path in paths:
                _get(client, path)
        profiler.disable()
    wall = time.perf_counter() - started
    requests = rounds * len(paths)
    grouped: dict[str, list[Statement]] = {}
    for statement in statements:
        grouped.setdefault(_shape(statement.sql), []).append(statement)
    heaviest = sorted(grouped.items(), key=lambda item: -sum(s.seconds for s in item[1]))[:5]
    sql_seconds = sum(statement.seconds for statement in statements)
    top_sql = []
    for shape, group in heaviest:
        slowest = max(group, key=lambda statement: statement.seconds)
        try:
            plan = explain(app, slowest)
        except Exception as exc:  # noqa: BLE001 - a plan is a bonus, never a failure
            plan = [f"(no plan: {exc})"]
        top_sql.append({"sql": shape[:600], "brief": brief(shape),
                        "per_request": round(len(group) / requests, 2),
                        "ms_per_request": round(sum(s.seconds for s in group) * 1000
                                                / requests, 2),
                        "plan": plan})
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(r"(app|flask|jinja2|sqlalchemy|werkzeug)/", 40)
    stats.sort_stats("tottime").print_stats(30)
    return {
        "paths": paths,
        "requests": requests,
        "ms_per_request": round(wall * 1000 / requests, 2),
        "sql_ms_per_request": round(sql_seconds * 1000 / requests, 2),
        "statements_per_request": round(len(statements) / requests, 2),
        "top_sql": top_sql,
        "shapes": [{"sql": shape[:300], "per_request": round(len(group) / requests, 2)}
                   for shape, group in sorted(grouped.items(), key=lambda item: -len(item[1]))],
        "cprofile": text.getvalue(),
    }
