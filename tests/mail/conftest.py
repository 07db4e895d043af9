"""The mailbox tests' servers: a real Dovecot (IMAP) and a real SMTP server (aiosmtpd).

One Dovecot for the session (starting it takes a second), emptied before each test; the
app reads it with IMAP_SSL off on its loopback port, and writes its outgoing mail to an
aiosmtpd server of the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask

from tests.mail.dovecot import Dovecot, dovecot_server
from tests.notifications.test_outbox import SmtpServer

CORPUS = Path(__file__).resolve().parent / "corpus"
HELPDESK = "helpdesk@example.org"
SITE = "https://cp-helpdesk.toolforge.org"


def corpus(name: str, **values: object) -> bytes:
    """A message of the corpus with its {{PLACEHOLDERS}} filled in, lines ending in CRLF
    (as a mail server stores them)."""
    raw = (CORPUS / name).read_bytes()
    values.setdefault("HELPDESK", HELPDESK)
    values.setdefault("N", "1")
    for key, value in values.items():
        raw = raw.replace(b"{{%s}}" % key.encode(), str(value).encode())
    assert b"{{" not in raw, f"{name}: a placeholder is left: {raw[raw.index(b'{{'):][:40]!r}"
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@pytest.fixture(scope="session")
def dovecot_session() -> Iterator[Dovecot]:
    """Dovecot, for the whole session."""
    with dovecot_server() as server:
        yield server


@pytest.fixture
def dovecot(dovecot_session: Dovecot) -> Dovecot:
    """Dovecot, its INBOX and Processed folder empty."""
    dovecot_session.empty()
    return dovecot_session


def mail_settings(server: Dovecot, attachments: Path, **extra: Any) -> dict[str, Any]:
    """The app's settings for reading the test's Dovecot."""
    return {
        "IMAP_HOST": server.host, "IMAP_PORT": server.port, "IMAP_SSL": False,
        "IMAP_USERNAME": server.username, "IMAP_PASSWORD": server.password,
        "IMAP_TIMEOUT": 10, "HELPDESK_EMAIL": HELPDESK, "HELPDESK_URL": SITE,
        "ATTACHMENTS_DIR": str(attachments), **extra,
    }


@pytest.fixture
def mail_app(make_app: Callable[..., Flask], dovecot: Dovecot, tmp_path: Path) -> Flask:
    """The app reading the test's Dovecot, its attachments in a temporary folder."""
    return make_app(**mail_settings(dovecot, tmp_path / "attachments"))


@pytest.fixture
def smtp(mail_app: Flask) -> Iterator[SmtpServer]:
    """A real SMTP server the app's outbox delivers to."""
    server = SmtpServer()
    server.start()
    mail_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_TIMEOUT=5)
    yield server
    server.stop()


def fetch(app: Flask, *args: str) -> Result:
    """`flask --app app mail fetch`, as the Toolforge job runs it."""
    return app.test_cli_runner().invoke(args=["mail", "fetch", *args])


def deliver(app: Flask) -> Result:
    """`flask --app app outbox deliver`."""
    return app.test_cli_runner().invoke(args=["outbox", "deliver"])
