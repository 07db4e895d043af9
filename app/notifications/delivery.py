"""Deliver the notification outbox by SMTP, with retry and exponential backoff.

`deliver_due()` sends the outbox rows that are due, one SMTP connection per run.
Each row's outcome is committed on its own, so one failure never loses another's
state, and nothing here touches a case: a failed delivery only reschedules its row.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.config import SETTINGS, flag
from app.core.models import utcnow
from app.mail.threads import thread_headers
from app.notifications.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 300
MAX_RETRY_DELAY = timedelta(days=1)
# Failures that mean the message could not be handed over (the row is retried).
SEND_ERRORS: tuple[type[BaseException], ...] = (OSError, smtplib.SMTPException, ValueError)


@dataclass(frozen=True)
class MailSettings:
    """How to reach the SMTP server and how patiently to retry."""

    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    mail_from: str
    timeout: float
    max_attempts: int
    retry_base_seconds: int


@dataclass
class DeliveryReport:
    """What one run did. `failed` rows are retried later; `gave_up` rows are not."""

    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    unreachable: str | None = None  # why the SMTP server could not be reached, if so


def mail_settings(config: Mapping[str, Any] | None = None) -> MailSettings:
    """The mail settings from the app's configuration (defaults: app/core/config.py)."""
    config = current_app.config if config is None else config

    def value(name: str) -> Any:
        found = config.get(name)
        return SETTINGS[name].default if found in (None, "") else found

    return MailSettings(
        host=str(value("SMTP_HOST")),
        port=int(value("SMTP_PORT")),
        username=value("SMTP_USERNAME") or None,
        password=value("SMTP_PASSWORD") or None,
        starttls=flag(value("SMTP_STARTTLS")),
        mail_from=str(value("MAIL_FROM")),
        timeout=float(value("SMTP_TIMEOUT")),
        max_attempts=max(1, int(value("OUTBOX_MAX_ATTEMPTS"))),
        retry_base_seconds=max(1, int(value("OUTBOX_RETRY_BASE_SECONDS"))),
    )


def _one_line(text: str) -> str:
    """Header values are one line: no CR/LF can smuggle in another header."""
    return " ".join(text.split())


def build_message(row: OutboxMessage, settings: MailSettings) -> EmailMessage:
    """The email for one outbox row (UTF-8, quoted-printable so any relay takes it)."""
    sender = parseaddr(settings.mail_from)[1]
    domain = sender.rpartition("@")[2] or "toolforge.org"
    created = int(row.created_at.timestamp()) if row.created_at else 0
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = _one_line(row.to_address)
    message["Subject"] = _one_line(row.subject)
    message["Date"] = formatdate(usegmt=True)
    # Stable across retries, so a copy re-sent after an unclear failure is a duplicate.
    message["Message-ID"] = f"<cp-helpdesk.outbox.{row.id}.{created}@{domain}>"
    for name, value in thread_headers(row, created).items():  # the case's thread
        del message[name]
        message[name] = _one_line(value)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(row.body, charset="utf-8", cte="quoted-printable")
    # After set_content(), which replaces every Content-* header.
    message["Content-Language"] = _one_line(row.language or "en").replace("_", "-")
    return message


def _short_error(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = exc.smtp_error
        text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
        message = f"{type(exc).__name__}: {exc.smtp_code} {text}"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = ", ".join(str(code) for code, _text in exc.recipients.values())
        message = f"{type(exc).__name__}: {codes}"
    else:
        message = f"{type(exc).__name__}: {exc}"
    return _one_line(message)[:MAX_ERROR_LENGTH]


def _connection_broken(exc: BaseException) -> bool:
    """A timeout or hang-up (reconnect), rather than a refusal of this one message."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == 421  # the server is closing the connection
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    return not isinstance(exc, smtplib.SMTPException | ValueError)


def _connect(settings: MailSettings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            smtp.login(settings.username, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _quit(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except SEND_ERRORS:
        smtp.close()


def due_messages(db: Session, now: datetime, max_attempts: int,
                 limit: int) -> list[OutboxMessage]:
    """Unsent rows whose next attempt is due and that have attempts left, oldest first."""
    return list(db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < max_attempts,
               OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ))


def _record_failure(db: Session, row: OutboxMessage, error: str, now: datetime,
                    settings: MailSettings, report: DeliveryReport) -> None:
    row.attempts = (row.attempts or 0) + 1
    row.last_error = error
    exponent = min(row.attempts - 1, 30)
    delay = min(timedelta(seconds=settings.retry_base_seconds * 2**exponent), MAX_RETRY_DELAY)
    row.next_attempt_at = now + delay
    db.commit()
    if row.attempts >= settings.max_attempts:
        report.gave_up += 1
        log.error("Outbox message %s (case %s) not delivered after %s attempts; giving up. "
                  "Last error: %s", row.id, row.case_id, row.attempts, error)
    else:
        report.failed += 1
        log.warning("Outbox message %s (case %s) failed (attempt %s of %s), retrying after "
                    "%s UTC: %s", row.id, row.case_id, row.attempts, settings.max_attempts,
                    row.next_attempt_at.isoformat(timespec="seconds"), error)


def deliver_due(db: Session, now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Send every due outbox row; reschedule failures with exponential backoff."""
    now = now or utcnow()
    settings = mail_settings()
    report = DeliveryReport()
    rows = due_messages(db, now, settings.max_attempts, limit)
    db.commit()  # end the read transaction; every row's outcome commits on its own
    smtp: smtplib.SMTP | None = None
    try:
        for row in rows:
            if report.unreachable is not None:
                _record_failure(db, row, report.unreachable, now, settings, report)
                continue
            if smtp is None:
                try:
                    smtp = _connect(settings)
                except SEND_ERRORS as exc:
                    report.unreachable = _short_error(exc)
                    log.error("SMTP server %s:%s unreachable: %s", settings.host, settings.port,
                              report.unreachable)
                    _record_failure(db, row, report.unreachable, now, settings, report)
                    continue
            try:
                smtp.send_message(build_message(row, settings),
                                  from_addr=parseaddr(settings.mail_from)[1],
                                  to_addrs=[row.to_address])
            except SEND_ERRORS as exc:
                if _connection_broken(exc):  # reconnect for the next row
                    smtp.close()
                    smtp = None
                _record_failure(db, row, _short_error(exc), now, settings, report)
                continue
            row.sent_at = now
            row.last_error = None
            db.commit()
            report.sent += 1
    finally:
        _quit(smtp)
    return report
