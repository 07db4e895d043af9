"""Rate limits counted once for every gunicorn worker (Redis), and served when Redis is down.

The shared counts are checked against the real Redis server on 127.0.0.1:6379 (`.ci/run`
starts it) and the app served by gunicorn with gunicorn.conf.py's two workers: the
access log carries each answer's worker pid, so the test knows both workers answered.
Each run uses its own key prefix and deletes its keys afterwards.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask

from app.core import schema
from app.core.config import DEFAULT_SIGN_IN_LIMIT
from app.core.ratelimit import REDIS_OPTIONS, limiter
from dev.standin.server import RunningServer
from tests.helpers import CONSUMER_KEY, CONSUMER_SECRET
from tests.private_mariadb import free_port
from tests.processes import stop_process_group

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
REDIS_URL = "redis://127.0.0.1:6379/0"
SIGN_IN_PER_MINUTE = int(DEFAULT_SIGN_IN_LIMIT.split(";")[0].split("/")[0])  # 10
ACCESS_LINE = re.compile(r'^<(?P<pid>\d+)> "GET /login HTTP/1\.1" (?P<status>\d{3})$', re.M)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL, **REDIS_OPTIONS)  # type: ignore[arg-type]
    client.ping()  # the Redis server must be running (`.ci/run` starts it)
    prefix = f"helpdesk-test-{secrets.token_hex(8)}"
    yield prefix
    keys = list(client.scan_iter(match=f"*{prefix}*"))
    if keys:
        client.delete(*keys)
    assert not list(client.scan_iter(match=f"*{prefix}*"))
    client.close()


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, logs: Path) -> Iterator[subprocess.Popen[bytes]]:
    """gunicorn with gunicorn.conf.py (two workers) on a loopback port; pids in the log."""
    out, err = (logs / "web.out").open("wb"), (logs / "web.err").open("wb")
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}",
         "--access-logformat", '%(p)s "%(r)s" %(s)s'],
        cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        stop_process_group(process, grace=15)
        out.close()
        err.close()


def get_status(port: int, path: str) -> int:
    """GET on a fresh connection (so gunicorn's workers take turns accepting)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Connection": "close"})
        return connection.getresponse().status
    finally:
        connection.close()


def wait_until_up(process: subprocess.Popen[bytes], port: int, logs: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, (logs / "web.err").read_text()[-3000:]
        with contextlib.suppress(OSError):
            if get_status(port, "/healthz") == 200:
                return
        time.sleep(0.2)
    pytest.fail("gunicorn did not answer:\n" + (logs / "web.err").read_text()[-3000:])


def worker_pids(logs: Path) -> set[int]:
    """The two workers' pids, from gunicorn's "Booting worker with pid" lines."""
    pids = set(map(int, re.findall(r"Booting worker with pid: (\d+)",
                                   (logs / "web.err").read_text())))
    return pids


def test_sign_in_is_counted_once_for_both_gunicorn_workers(
    tmp_path: Path, standin: RunningServer, redis_prefix: str
) -> None:
    database = f"sqlite:///{tmp_path / 'helpdesk.sqlite3'}"
    schema.upgrade(database)
    port = free_port()
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(tmp_path), "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1",
        "HELPDESK_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
        "OAUTH_MWURI": standin.mw_uri, "OAUTH_CONSUMER_KEY": CONSUMER_KEY,
        "OAUTH_CONSUMER_SECRET": CONSUMER_SECRET, "DATABASE_URL": database,
        "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": redis_prefix,
        "RATELIMIT_SIGN_IN": DEFAULT_SIGN_IN_LIMIT,
    }
    with gunicorn(env, port, tmp_path) as web:
        wait_until_up(web, port, tmp_path)
        statuses = [get_status(port, "/login") for _ in range(SIGN_IN_PER_MINUTE + 1)]
        # More refusals until both workers have refused one (each checks Redis's count).
        deadline = time.monotonic() + 20
        refused_by: set[int] = set()
        while time.monotonic() < deadline:
            refused_by = {int(m["pid"]) for m in ACCESS_LINE.finditer(
                (tmp_path / "web.out").read_text()) if m["status"] == "429"}
            if len(refused_by) >= 2:
                break
            statuses.append(get_status(port, "/login"))
        workers = worker_pids(tmp_path)
    lines = list(ACCESS_LINE.finditer((tmp_path / "web.out").read_text()))
    assert statuses[:SIGN_IN_PER_MINUTE] == [302] * SIGN_IN_PER_MINUTE, statuses
    assert set(statuses[SIGN_IN_PER_MINUTE:]) == {429}, statuses
    assert len(workers) == 2, workers
    assert refused_by == workers  # each worker refused: both read the one shared count
    allowed = [m for m in lines if m["status"] == "302"]
    assert len(allowed) == SIGN_IN_PER_MINUTE  # not ten per worker
    assert len(lines) == len(statuses)


def test_redis_down_keeps_serving_and_warns_once(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    app = make_app(RATELIMIT_STORAGE_URI=closed, RATELIMIT_SIGN_IN=DEFAULT_SIGN_IN_LIMIT)
    caplog.set_level(logging.INFO, logger="flask-limiter")
    client = app.test_client()

    started = time.monotonic()
    statuses = [client.get("/login").status_code for _ in range(SIGN_IN_PER_MINUTE + 2)]

    assert time.monotonic() - started < 10
    # Served, and still limited: this worker counted in its own memory meanwhile.
    assert statuses == [302] * SIGN_IN_PER_MINUTE + [429, 429]
    warnings = [record for record in caplog.records
                if record.name == "flask-limiter" and record.levelno >= logging.WARNING]
    assert [record.getMessage() for record in warnings] == [
        "Rate limit storage unreachable - falling back to in-memory storage"]
    assert closed not in caplog.text


def test_redis_storage_gives_up_quickly(make_app: Callable[..., Flask], redis_prefix: str) -> None:
    """A Redis that hangs cannot hold every request: one second to connect or answer."""
    app = make_app(RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=redis_prefix)
    assert app.config["RATELIMIT_STORAGE_OPTIONS"] == REDIS_OPTIONS
    assert app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
    pool = limiter.storage.storage.connection_pool  # type: ignore[attr-defined]
    assert pool.connection_kwargs["socket_timeout"] == 1.0
    assert pool.connection_kwargs["socket_connect_timeout"] == 1.0
