"""Deliver the notification outbox by SMTP, with retry and exponential backoff.

`deliver_due()` sends the outbox rows that are due, one SMTP connection per run.
Each row's outcome is committed on its own, so one failure never loses another's
state, and nothing here touches a case: a failed delivery only reschedules its row.

Several runs may overlap (a slow run and the next scheduled one, or two started by
hand), so a run first *claims* a few rows and commits the claim, then sends them and
marks each sent: a claimed row has `claimed_by` (the run) and `claimed_until` (its
lease), and other runs skip it until the lease ends. On MariaDB the claim reads with
``SELECT … FOR UPDATE SKIP LOCKED``, so two runs never wait on each other's rows; on
SQLite, which has no row locks, one ``UPDATE … WHERE claimed_until IS NULL OR
claimed_until < now`` claims them (SQLite runs one writer at a time) and the run reads
back what it got. A run that crashes leaves its claims behind; when their lease ends
the rows are due again. A run stops sending before its lease could run out.

A permanent refusal (a 5xx answer) marks the address as failing
(`FailingAddress`), shown to staff; mail accepted for it again clears the mark.
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, true, update
from sqlalchemy.orm import Session, object_session

from app.attachments.service import EmailFiles, email_files
from app.attention.tokens import unwatch_path
from app.auth.models import User
from app.cases.models import Case
from app.core.config import SETTINGS, flag
from app.core.models import utcnow
from app.mail.threads import thread_headers
from app.notifications.models import FailingAddress, OutboxMessage
from app.notifications.service import site_url

log = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 300
CLAIM_BATCH = 10  # rows claimed at a time: a short lease covers them even on a slow server
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
    lease_seconds: int = 300


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
        lease_seconds=max(1, int(value("OUTBOX_LEASE_SECONDS"))),
    )


def _one_line(text: str) -> str:
    """Header values are one line: no CR/LF can smuggle in another header."""
    return " ".join(text.split())


class _UnfoldedHeader(str):
    """A header written on one line as it is (within the 998 characters of RFC 5322):
    the email package would wrap a long URL header in encoded words, which mail programs
    do not read as a List-Unsubscribe address."""

    name: str

    def __new__(cls, name: str, value: str) -> _UnfoldedHeader:
        header = super().__new__(cls, _one_line(value))
        header.name = name
        return header

    def fold(self, *, policy: Any) -> str:
        """The header line (the email package calls this to write it)."""
        return f"{self.name}: {self}{policy.linesep}"


def unsubscribe_headers(row: OutboxMessage) -> dict[str, str]:
    """A watcher's email: its signed one-click unwatch address, for the mail program's
    own "unsubscribe" button (List-Unsubscribe, RFC 2369; a POST, RFC 8058). Other
    emails have none: they are about the recipient's own request or work."""
    if row.kind != "watched" or row.recipient_id is None or row.case_id is None:
        return {}
    address = site_url() + unwatch_path(row.recipient_id, row.case_id, one_click=True)
    return {"List-Unsubscribe": f"<{address}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


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
    for name, value in unsubscribe_headers(row).items():
        message[name] = _UnfoldedHeader(name, value)
    files = _files_of(row)
    message.set_content(_body(row, files), charset="utf-8", cte="quoted-printable")
    # After set_content(), which replaces every Content-* header.
    message["Content-Language"] = _one_line(row.language or "en").replace("_", "-")
    for file, data in files.attached if files else ():
        maintype, _slash, subtype = file.content_type.partition("/")
        message.add_attachment(data, maintype=maintype if subtype else "application",
                               subtype=subtype or "octet-stream", filename=file.filename)
    return message


def _files_of(row: OutboxMessage) -> EmailFiles | None:
    """The files of the public message the email carries (None: it carries none)."""
    db = object_session(row)
    if row.message_id is None or db is None:
        return None
    return email_files(db, row.message_id)


def _body(row: OutboxMessage, files: EmailFiles | None) -> str:
    """The row's text; when files were left out of the email, a line naming them before
    the signature, in the recipient's language (the text has the case's address)."""
    if files is None or not files.left_out:
        return row.body
    names = ", ".join(file.filename for file in files.left_out)
    with force_locale(row.language or "en"):
        # Translators: in an email with a new message on a request, when some of its files are
        # not attached (too large for email); %(names)s is a list of file names. The request's
        # address is in the email.
        note = _("Not attached to this email, on the request's page: %(names)s", names=names)
    text, signature, footer = row.body.rpartition("\n-- \n")
    if not signature:
        return f"{row.body.rstrip()}\n\n{note}\n"
    return f"{text.rstrip()}\n\n{note}\n{signature}{footer}"


def _text(detail: bytes | str) -> str:
    return detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)


def _short_error(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        message = f"{type(exc).__name__}: {exc.smtp_code} {_text(exc.smtp_error)}"
    elif isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = ", ".join(f"{code} {_text(detail)}" for code, detail in exc.recipients.values())
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


def _due(now: datetime, max_attempts: int) -> Any:
    """Unsent rows whose next attempt is due, with attempts left, claimed by no live run."""
    return (OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < max_attempts,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))


def due_messages(db: Session, now: datetime, max_attempts: int,
                 limit: int) -> list[OutboxMessage]:
    """Unsent rows whose next attempt is due and that have attempts left, oldest first."""
    return list(db.scalars(
        select(OutboxMessage).where(*_due(now, max_attempts))
        .order_by(OutboxMessage.id).limit(limit)
    ))


def run_name() -> str:
    """This run's name in `claimed_by`: the host, the process and a random part."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(6)}"


def claim(db: Session, run: str, now: datetime, settings: MailSettings,
          limit: int) -> list[OutboxMessage]:
    """Claim up to `limit` due rows for `run` until the lease ends; commit; return them."""
    until = now + timedelta(seconds=settings.lease_seconds)
    due = _due(now, settings.max_attempts)
    if db.get_bind().dialect.name == "sqlite":
        # No row locks: one UPDATE claims (SQLite lets one writer at a time in).
        chosen = select(OutboxMessage.id).where(*due).order_by(OutboxMessage.id).limit(limit)
        db.execute(update(OutboxMessage).where(OutboxMessage.id.in_(chosen.scalar_subquery()),
                                               *due)
                   .values(claimed_by=run, claimed_until=until)
                   .execution_options(synchronize_session=False))
    else:
        # Rows another run is claiming right now are skipped, not waited for.
        ids = list(db.scalars(select(OutboxMessage.id).where(*due).order_by(OutboxMessage.id)
                              .limit(limit).with_for_update(skip_locked=True)))
        if ids:
            db.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids))
                       .values(claimed_by=run, claimed_until=until)
                       .execution_options(synchronize_session=False))
    db.commit()
    return list(db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.claimed_by == run, OutboxMessage.sent_at.is_(None))
        .order_by(OutboxMessage.id)
        .execution_options(populate_existing=True)
    ))


def release(db: Session, run: str) -> None:
    """Give back the rows `run` claimed and did not send (they are due again at once)."""
    db.rollback()
    db.execute(update(OutboxMessage)
               .where(OutboxMessage.claimed_by == run, OutboxMessage.sent_at.is_(None))
               .values(claimed_by=None, claimed_until=None)
               .execution_options(synchronize_session=False))
    db.commit()


def _permanent(exc: BaseException) -> bool:
    """The server refused the recipient for good: a 5xx answer."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return any(500 <= int(code) < 600 for code, _text in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def _note_on_people_and_cases(db: Session, address: str, error: str | None) -> None:
    """Write (or clear, with None) the failure on the users and cases with this address."""
    for column, failing in ((User.email, User.email_failing),
                            (Case.contact_email, Case.contact_email_failing)):
        changed = failing.is_not(None) if error is None else true()
        db.execute(update(column.class_).where(func.lower(column) == address, changed)
                   .values({failing.key: error})
                   .execution_options(synchronize_session=False))


def _mark_failing(db: Session, row: OutboxMessage, error: str, now: datetime) -> None:
    address = row.to_address.strip().lower()
    found = db.scalar(select(FailingAddress).where(FailingAddress.address == address))
    if found is None:
        db.add(FailingAddress(address=address, error=error, outbox_id=row.id, failed_at=now))
    else:
        found.error, found.outbox_id, found.failed_at = error, row.id, now
    _note_on_people_and_cases(db, address, error)


def _clear_failing(db: Session, row: OutboxMessage) -> None:
    address = row.to_address.strip().lower()
    cleared = db.execute(delete(FailingAddress).where(FailingAddress.address == address)
                         .execution_options(synchronize_session=False))
    if getattr(cleared, "rowcount", 0):
        _note_on_people_and_cases(db, address, None)


def _record_failure(db: Session, row: OutboxMessage, error: str, now: datetime,
                    settings: MailSettings, report: DeliveryReport,
                    permanent: bool = False) -> None:
    row.attempts = (row.attempts or 0) + 1
    row.last_error = error
    row.last_attempt_at = now
    exponent = min(row.attempts - 1, 30)
    delay = min(timedelta(seconds=settings.retry_base_seconds * 2**exponent), MAX_RETRY_DELAY)
    row.next_attempt_at = now + delay
    row.claimed_by = row.claimed_until = None
    if permanent:
        _mark_failing(db, row, error, now)
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


def _record_sent(db: Session, row: OutboxMessage, now: datetime,
                 report: DeliveryReport) -> None:
    row.sent_at = row.last_attempt_at = now
    row.last_error = None
    row.claimed_by = row.claimed_until = None
    _clear_failing(db, row)
    db.commit()
    report.sent += 1


class _Sender:
    """One SMTP connection for a run, opened when the first row needs it."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def connect(self) -> smtplib.SMTP:
        """The open connection, opened if need be (raises one of SEND_ERRORS)."""
        if self.smtp is None:
            self.smtp = _connect(self.settings)
        return self.smtp

    def send(self, row: OutboxMessage) -> None:
        """Hand `row` to the server (raises one of SEND_ERRORS when it is not taken)."""
        smtp = self.connect()
        try:
            smtp.send_message(build_message(row, self.settings),
                              from_addr=parseaddr(self.settings.mail_from)[1],
                              to_addrs=[row.to_address])
        except SEND_ERRORS as exc:
            if _connection_broken(exc):  # reconnect for the next row
                smtp.close()
                self.smtp = None
            raise

    def close(self) -> None:
        """Say goodbye to the server, if connected."""
        _quit(self.smtp)
        self.smtp = None


def _deliver(db: Session, rows: list[OutboxMessage], sender: _Sender, now: datetime,
             deadline: float, report: DeliveryReport) -> bool:
    """Send claimed rows while the lease lasts; False once it is (nearly) over."""
    settings = sender.settings
    for row in rows:
        if time.monotonic() > deadline:
            return False
        if report.unreachable is None:
            try:
                sender.connect()
            except SEND_ERRORS as exc:
                report.unreachable = _short_error(exc)
                log.error("SMTP server %s:%s unreachable: %s", settings.host, settings.port,
                          report.unreachable)
        if report.unreachable is not None:
            _record_failure(db, row, report.unreachable, now, settings, report)
            continue
        try:
            sender.send(row)
        except SEND_ERRORS as exc:
            _record_failure(db, row, _short_error(exc), now, settings, report, _permanent(exc))
            continue
        _record_sent(db, row, now, report)
    return True


def deliver_due(db: Session, now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Send every due outbox row; reschedule failures with exponential backoff."""
    now = now or utcnow()
    settings = mail_settings()
    report = DeliveryReport()
    run = run_name()
    # Stop sending well before the lease ends: after it, another run may take the rows.
    deadline = time.monotonic() + settings.lease_seconds / 2
    sender = _Sender(settings)
    claimed = 0
    try:
        while claimed < limit:
            rows = claim(db, run, now, settings, min(CLAIM_BATCH, limit - claimed))
            if not rows:
                break
            claimed += len(rows)
            if not _deliver(db, rows, sender, now, deadline, report):
                break
    finally:
        sender.close()
        release(db, run)
    return report
