"""The outbox: rows written with the case change, delivered by a real SMTP server."""

from __future__ import annotations

import email
import logging
import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, select

from app.auth.models import User
from app.cases import service
from app.cases.models import Case
from app.core.db import get_session
from app.core.models import utcnow
from app.notifications.delivery import DeliveryReport, deliver_due
from app.notifications.models import OutboxMessage
from tests.factories import make_case, make_user

SITE = "https://cp-helpdesk.toolforge.org"
TITLE = "Kartor över Östersjön – 1700-talet"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Collector:
    """An aiosmtpd handler that keeps what it receives, and refuses chosen recipients."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.peers: list[Any] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        self.peers.append(session.peer)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(envelope.content, policy=default_policy)  # type: ignore[misc]
                for envelope in self.envelopes]


class SmtpServer:
    """A real SMTP server on a loopback port that can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.handler = Collector()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app: Flask) -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_TIMEOUT=5,
                      HELPDESK_URL=SITE, OUTBOX_MAX_ATTEMPTS=8, OUTBOX_RETRY_BASE_SECONDS=60)
    yield server
    server.stop()


def outbox(db: Any) -> list[OutboxMessage]:
    db.expire_all()
    return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def triaged_case(db: Any, requester: User, **overrides: Any) -> Case:
    """A case filed by `requester` and accepted for review by the helpdesk (committed)."""
    helpdesk = make_user(db, "Sven Helpdesk", "helpdesk")
    case = make_case(db, requester, **overrides)
    db.commit()
    service.move(db, case, helpdesk, {"helpdesk"}, "triage")
    db.commit()
    return case


def test_a_case_change_enqueues_mail_in_the_same_transaction(app: Flask) -> None:
    with app.app_context():
        db = get_session()
        ada = make_user(db, "Ada Requester")
        db.commit()
        make_case(db, ada)
        assert [row.kind for row in outbox(db) if row.to_address == "ada@example.org"] == [
            "created"]
        db.rollback()
        assert db.scalar(select(func.count(OutboxMessage.id))) == 0  # no case, no email

        case = make_case(db, ada)
        db.commit()
        service.move(db, case, make_user(db, "Sven Helpdesk", "helpdesk"), {"helpdesk"},
                     "triage")
        db.commit()
        rows = outbox(db)
        assert [(row.kind, row.to_address, row.case_id) for row in rows] == [
            ("created", "ada@example.org", case.id),
            ("state_changed", "ada@example.org", case.id),
        ]
        assert all(row.sent_at is None and row.attempts == 0 for row in rows)


def test_deliver_sends_utf8_mail_with_the_case_link(app: Flask, smtp: SmtpServer) -> None:
    with app.app_context():
        db = get_session()
        make_user(db, "Sven Helpdesk", "helpdesk", email="sven@example.org")
        case = make_case(db, make_user(db, "Ada Requester"), title=TITLE)
        db.commit()
        reference = case.reference

        report = deliver_due(db)

        assert report == DeliveryReport(sent=2, failed=0, gave_up=0)
        assert all(row.sent_at is not None and row.last_error is None for row in outbox(db))
        assert deliver_due(db) == DeliveryReport()  # nothing is sent twice

    envelopes = {tuple(envelope.rcpt_tos): envelope for envelope in smtp.handler.envelopes}
    assert set(envelopes) == {("ada@example.org",), ("sven@example.org",)}
    assert envelopes[("ada@example.org",)].mail_from == "tools.cp-helpdesk@toolforge.org"
    by_recipient = {str(message["To"]): message for message in smtp.handler.messages()}
    confirmation = by_recipient["ada@example.org"]
    assert confirmation["Subject"] == f"We received your request {reference}"
    assert confirmation["From"] == ("Content Partnerships Helpdesk "
                                    "<tools.cp-helpdesk@toolforge.org>")
    assert confirmation["Auto-Submitted"] == "auto-generated"
    assert confirmation["Content-Language"] == "en"
    assert confirmation["Message-ID"].endswith("@toolforge.org>")
    assert confirmation["Date"]
    assert confirmation.get_content_charset() == "utf-8"
    body = confirmation.get_content()
    assert f"{SITE}/requests/{reference}" in body
    assert TITLE in body
    # The helpdesk's subject carries the non-ASCII title, encoded for the wire.
    assert by_recipient["sven@example.org"]["Subject"] == f"New request {reference}: {TITLE}"
    assert b"\xc3\xb6" not in envelopes[("sven@example.org",)].content.split(b"\r\n\r\n")[0]
    assert len(set(smtp.handler.peers)) == 1  # one SMTP connection for the whole run


def test_mail_goes_out_in_the_recipients_language(app: Flask, smtp: SmtpServer) -> None:
    with app.app_context():
        db = get_session()
        sara = make_user(db, "Sara Svensk")
        sara.language = "sv"
        make_case(db, sara, contact_email="sara@example.se")
        db.commit()
        (row,) = outbox(db)
        assert row.language == "sv"
        assert deliver_due(db).sent == 1
    (message,) = smtp.handler.messages()
    assert message["Content-Language"] == "sv"
    assert message["To"] == "sara@example.se"


def test_no_mail_for_a_requester_who_turned_email_off(app: Flask) -> None:
    with app.app_context():
        db = get_session()
        ada = make_user(db, "Ada Requester")
        ada.email_notifications = False
        triaged_case(db, ada)
        assert outbox(db) == []


def test_smtp_down_keeps_mail_for_later_and_the_case_change(app: Flask, smtp: SmtpServer) -> None:
    smtp.stop()
    with app.app_context():
        db = get_session()
        case = triaged_case(db, make_user(db, "Ada Requester"))
        case_id = case.id
        now = utcnow()

        report = deliver_due(db, now=now)

        assert (report.sent, report.failed, report.gave_up) == (0, 2, 0)
        assert report.unreachable
        rows = outbox(db)
        assert [row.attempts for row in rows] == [1, 1]
        assert all(row.sent_at is None for row in rows)
        assert all(row.next_attempt_at == now + timedelta(seconds=60) for row in rows)
        assert all("ConnectionRefusedError" in (row.last_error or "") for row in rows)
        assert len(rows[0].last_error or "") <= 300
        db.expire_all()
        assert db.get(Case, case_id).state == "in_initial_review"  # type: ignore[union-attr]

        smtp.start()
        # Not due yet: the backoff is respected.
        assert deliver_due(db, now=now + timedelta(seconds=30)) == DeliveryReport()
        assert smtp.handler.envelopes == []

        report = deliver_due(db, now=now + timedelta(seconds=61))

        assert report == DeliveryReport(sent=2)
        assert all(row.sent_at is not None for row in outbox(db))
    assert [tuple(envelope.rcpt_tos) for envelope in smtp.handler.envelopes] == [
        ("ada@example.org",), ("ada@example.org",)]


def test_one_refused_message_does_not_hold_up_the_others(app: Flask, smtp: SmtpServer) -> None:
    smtp.handler.refuse.add("bounce@example.org")
    with app.app_context():
        db = get_session()
        make_case(db, make_user(db, "Ada Requester"), contact_email="bounce@example.org")
        make_case(db, make_user(db, "Omar Requester"), contact_email="omar@example.org")
        db.commit()

        report = deliver_due(db)

        assert (report.sent, report.failed, report.unreachable) == (1, 1, None)
        refused, sent = outbox(db)
        assert refused.to_address == "bounce@example.org"
        assert (refused.sent_at, refused.attempts) == (None, 1)
        assert "550" in (refused.last_error or "")
        assert sent.sent_at is not None and sent.attempts == 0
    assert [tuple(envelope.rcpt_tos) for envelope in smtp.handler.envelopes] == [
        ("omar@example.org",)]


def test_backoff_doubles_and_delivery_gives_up_after_max_attempts(
    app: Flask, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtp.stop()
    app.config.update(OUTBOX_MAX_ATTEMPTS=3, OUTBOX_RETRY_BASE_SECONDS=10)
    with app.app_context():
        db = get_session()
        make_case(db, make_user(db, "Ada Requester"))
        db.commit()
        now = utcnow()
        delays = []
        reports = []
        for _attempt in range(3):
            reports.append(deliver_due(db, now=now))
            (row,) = outbox(db)
            delays.append((row.next_attempt_at - now).total_seconds())
            now = row.next_attempt_at
        assert delays == [10, 20, 40]
        assert [(r.failed, r.gave_up) for r in reports] == [(1, 0), (1, 0), (0, 1)]
        assert "giving up" in caplog.text

        smtp.start()
        assert deliver_due(db, now=now + timedelta(days=30)) == DeliveryReport()
        (row,) = outbox(db)
        assert (row.attempts, row.sent_at) == (3, None)
    assert smtp.handler.envelopes == []


def test_deliver_command(app: Flask, smtp: SmtpServer) -> None:
    with app.app_context():
        db = get_session()
        make_case(db, make_user(db, "Ada Requester"))
        db.commit()
    runner = app.test_cli_runner()

    result = runner.invoke(args=["outbox", "deliver"])

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "sent 1, failed 0, gave up 0"
    assert [tuple(envelope.rcpt_tos) for envelope in smtp.handler.envelopes] == [
        ("ada@example.org",)]


def test_deliver_command_says_when_smtp_is_unreachable(
    app: Flask, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtp.stop()
    with app.app_context():
        db = get_session()
        make_case(db, make_user(db, "Ada Requester"))
        db.commit()
    caplog.set_level(logging.ERROR)

    result = app.test_cli_runner().invoke(args=["outbox", "deliver"])

    assert result.exit_code == 0  # nothing is lost: the next run retries
    assert result.stdout.strip() == "sent 0, failed 1, gave up 0"
    assert f"127.0.0.1:{smtp.port} unreachable" in result.stderr
    assert "retried" in result.stderr
    with app.app_context():
        (row,) = outbox(get_session())
        assert row.attempts == 1 and row.sent_at is None


def test_a_server_that_never_answers_times_out(app: Flask, smtp: SmtpServer) -> None:
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        app.config.update(SMTP_PORT=silent.getsockname()[1], SMTP_TIMEOUT=0.5)
        with app.app_context():
            db = get_session()
            make_case(db, make_user(db, "Ada Requester"))
            db.commit()
            started = time.monotonic()

            report = deliver_due(db)

            assert time.monotonic() - started < 5
            assert (report.sent, report.failed) == (0, 1)
            (row,) = outbox(db)
            assert row.attempts == 1 and row.sent_at is None
            assert "timed out" in (row.last_error or "")
