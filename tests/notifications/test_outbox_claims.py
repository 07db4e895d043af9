"""Overlapping delivery runs never send a message twice; a crashed run's rows come back.

Two real `flask --app app outbox deliver` processes run at once against one slow SMTP
server (0.3 s a message) with the suite's database (SQLite, or MariaDB under
TEST_DATABASE_URL): each message arrives exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.core.db import get_session
from app.core.models import utcnow
from app.notifications.delivery import DeliveryReport, deliver_due
from app.notifications.models import OutboxMessage
from tests.notifications.test_outbox import Collector, SmtpServer, outbox

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
MESSAGES = 24
SECONDS_PER_MESSAGE = 0.3


WAIT_FOR_BOTH_SECONDS = 60


class SlowCollector(Collector):
    """Takes its time over each message, as a busy relay does."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(SECONDS_PER_MESSAGE)
        return await super().handle_DATA(server, session, envelope)


class MeetingPoint(SlowCollector):
    """Holds every message until two clients have connected (or a minute has passed).

    So two runs really overlap however slowly the second one starts on a busy machine:
    the first cannot send everything before the second has claimed its rows.
    """

    def __init__(self) -> None:
        super().__init__()
        self.sessions: set[int] = set()
        self.both_connected: asyncio.Event | None = None

    def _event(self) -> asyncio.Event:
        if self.both_connected is None:  # made on the server's own event loop
            self.both_connected = asyncio.Event()
        return self.both_connected

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:
        session.host_name = hostname
        self.sessions.add(id(session))
        if len(self.sessions) >= 2:
            self._event().set()
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with contextlib.suppress(TimeoutError):  # then the test says they did not overlap
            await asyncio.wait_for(self._event().wait(), WAIT_FOR_BOTH_SECONDS)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp(app: Flask, request: pytest.FixtureRequest) -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.handler = getattr(request, "param", SlowCollector)()
    server.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_TIMEOUT=10)
    yield server
    server.stop()


def queue(app: Flask, count: int) -> None:
    with app.app_context():
        db = get_session()
        for number in range(count):
            db.add(OutboxMessage(case_id=None, recipient_id=None,
                                 to_address=f"person{number}@example.org", language="en",
                                 kind="message", subject=f"Message {number}", body="Hello"))
        db.commit()


def deliver_process(database_url: str, port: int, tmp_path: Path) -> subprocess.Popen[str]:
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(tmp_path), "LANG": "C.UTF-8", "HELPDESK_ENV": "development",
        "DATABASE_URL": database_url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port),
        "SMTP_TIMEOUT": str(WAIT_FOR_BOTH_SECONDS + 30),
    }
    return subprocess.Popen([str(VENV_BIN / "flask"), "--app", "app", "outbox", "deliver"],
                            cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("slow_smtp", [MeetingPoint], indirect=True)
def test_two_runs_at_once_send_each_message_exactly_once(
    app: Flask, slow_smtp: SmtpServer, database_url: str, tmp_path: Path
) -> None:
    queue(app, MESSAGES)

    runs = [deliver_process(database_url, slow_smtp.port, tmp_path) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    sent = [int(re.fullmatch(r"sent (\d+), failed 0, gave up 0", out.strip())[1])  # type: ignore[index]
            for out, _err in outputs]
    assert sum(sent) == MESSAGES, outputs
    assert all(count > 0 for count in sent), sent  # they really ran side by side
    received = Counter(address for envelope in slow_smtp.handler.envelopes
                       for address in envelope.rcpt_tos)
    assert len(received) == MESSAGES
    assert set(received.values()) == {1}  # none twice
    with app.app_context():
        rows = outbox(get_session())
        assert all(row.sent_at is not None and row.claimed_by is None for row in rows)


def test_a_crashed_runs_rows_are_sent_when_its_lease_ends(
    app: Flask, slow_smtp: SmtpServer
) -> None:
    queue(app, 3)
    now = utcnow()
    with app.app_context():
        db = get_session()
        crashed, live, free = outbox(db)
        crashed.claimed_by, crashed.claimed_until = "gone:1:dead", now - timedelta(seconds=1)
        live.claimed_by, live.claimed_until = "busy:2:live", now + timedelta(minutes=5)
        db.commit()

        report = deliver_due(db, now=now)

        assert report == DeliveryReport(sent=2)
        crashed, live, free = outbox(db)
        assert crashed.sent_at is not None and free.sent_at is not None
        assert live.sent_at is None and live.claimed_by == "busy:2:live"  # not touched
        assert crashed.claimed_by is None and free.claimed_by is None

        # Its lease over, the live run's row goes out on a later run.
        assert deliver_due(db, now=now + timedelta(minutes=6)) == DeliveryReport(sent=1)
    assert sorted(address for envelope in slow_smtp.handler.envelopes
                  for address in envelope.rcpt_tos) == [
        "person0@example.org", "person1@example.org", "person2@example.org"]


def test_a_run_gives_back_what_it_could_not_send(
    app: Flask, slow_smtp: SmtpServer
) -> None:
    """Failures release their claim: the row waits for its backoff, not for the lease."""
    slow_smtp.stop()
    queue(app, 2)
    with app.app_context():
        db = get_session()
        report = deliver_due(db)
        assert (report.sent, report.failed) == (0, 2)
        assert all(row.claimed_by is None and row.claimed_until is None for row in outbox(db))
