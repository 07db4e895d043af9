"""One run of the mailbox job: read each waiting message, store it, then move it.

Crash-safe and idempotent: a message is committed to the database (its row, the case it
opened or answered, the outbox rows) before it is moved to the Processed folder, and
each message is stored once by its key. A run that dies between the two leaves the
message in the mailbox; the next run finds its key stored and only moves it. Two runs
at once: the second to commit a message is refused by the unique key and moves on.
Messages are read one at a time, so memory stays flat whatever the mailbox holds.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.mail import queries, service
from app.mail.imap import Envelope, Mailbox, MailboxError
from app.mail.parsing import parse_message
from app.mail.settings import MailConfig

log = logging.getLogger(__name__)

DUPLICATE = "duplicate"
FAILED = "failed"
ATTEMPTS = 3  # two new requests at once may draw the same reference number; try again
MOVE_BATCH = 50  # stored messages moved to the Processed folder with one command


@dataclass
class FetchReport:
    """What one run did: how many messages ended how, and what went wrong."""

    outcomes: Counter[str] = field(default_factory=Counter)
    unreachable: str | None = None

    @property
    def read(self) -> int:
        """Messages handled (stored, or found stored already)."""
        return sum(count for outcome, count in self.outcomes.items() if outcome != FAILED)

    @property
    def failed(self) -> int:
        """Messages that could not be stored (they stay in the mailbox)."""
        return self.outcomes[FAILED]

    def summary(self) -> str:
        """One line for the job's log: 'read 3: new_request 2, reply 1'."""
        parts = ", ".join(f"{outcome} {count}" for outcome, count in sorted(self.outcomes.items()))
        return f"read {self.read}" + (f": {parts}" if parts else "")


def _store(db: Session, box: Mailbox, envelope: Envelope, config: MailConfig) -> str:
    """Read one message and commit what it does; its outcome."""
    too_large = envelope.size > config.max_message_bytes
    raw = box.fetch_header(envelope.uid) if too_large else box.fetch(envelope.uid)
    parsed = parse_message(raw, headers_only=too_large)
    parsed.size = envelope.size
    for attempt in range(ATTEMPTS):
        if queries.by_key(db, parsed.key) is not None:
            db.rollback()
            return DUPLICATE
        try:
            if too_large:
                mail = service.record_too_large(db, parsed, config)
            else:
                mail = service.record(db, parsed, config, raw)
            outcome = mail.outcome
            db.commit()
            return outcome
        except IntegrityError:
            db.rollback()
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def fetch_mail(db: Session, config: MailConfig, limit: int | None = None) -> FetchReport:
    """Read the waiting messages of the mailbox (at most `limit`, else MAIL_FETCH_BATCH).

    Stored messages are moved to the Processed folder MOVE_BATCH at a time (always after
    their commits): a run that dies before moving some leaves them for the next run,
    which finds them stored and only moves them.

    A server that cannot be reached (or drops the connection) ends the run with
    `unreachable` set: nothing is lost, the next run goes on. A server that refuses the
    sign-in or the folder raises MailboxError (the configuration needs fixing).
    """
    report = FetchReport()
    box = Mailbox(config)
    stored: list[int] = []
    try:
        box.connect()
        db.commit()  # no earlier transaction stays open while the mailbox is read
        for envelope in box.messages(limit or config.batch):
            outcome = _store_one(db, box, envelope, config)
            db.expunge_all()  # nothing of this message stays in memory
            report.outcomes[outcome] += 1
            if outcome != FAILED:
                stored.append(envelope.uid)  # committed: it may be moved
            if len(stored) >= MOVE_BATCH:
                box.done(stored)
                stored = []
        box.done(stored)
    except MailboxError as exc:
        if not exc.unreachable:
            raise
        report.unreachable = str(exc)
    finally:
        box.close()
    return report


def _store_one(db: Session, box: Mailbox, envelope: Envelope, config: MailConfig) -> str:
    """`_store`, with a message that cannot be stored logged and left in the mailbox."""
    try:
        outcome = _store(db, box, envelope, config)
    except MailboxError:
        raise
    except Exception:  # one bad message must not stop the others
        db.rollback()
        log.exception("Message %s of the mailbox could not be stored; it stays in the "
                      "mailbox and is tried again on the next run.", envelope.uid)
        return FAILED
    log.info("Message %s: %s", envelope.uid, outcome)
    return outcome
