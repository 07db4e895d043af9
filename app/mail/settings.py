"""The mail settings, read once from the app's configuration (defaults: app/core/config.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from flask import current_app

from app.core.config import SETTINGS, flag
from app.core.i18n import available_languages


@dataclass(frozen=True)
class MailConfig:
    """How to reach the mailbox and what to do with what is in it."""

    host: str | None
    port: int
    username: str | None
    password: str | None
    mailbox: str
    processed_mailbox: str
    ssl: bool
    timeout: float
    helpdesk_address: str | None  # where requesters write (Reply-To); None: not known
    own_addresses: frozenset[str]  # mail from these is the tool's own: ignored
    plus_addressing: bool
    max_message_bytes: int
    max_attachment_bytes: int
    attachment_types: frozenset[str]
    sender_limit: int  # messages a sender may send an hour (0: no limit)
    batch: int
    claim_days: int
    attachments_dir: Path
    languages: tuple[str, ...]

    @property
    def starttls(self) -> bool:
        """Port 143 speaks plain IMAP first, then STARTTLS; 993 is TLS from the start."""
        return self.ssl and self.port == 143


def _address(value: object) -> str | None:
    address = parseaddr(str(value or ""))[1].strip().lower()
    return address if "@" in address else None


def mail_config(config: Mapping[str, Any] | None = None) -> MailConfig:
    """The mail settings of the current app (or of `config`)."""
    config = current_app.config if config is None else config

    def value(name: str) -> Any:
        found = config.get(name)
        return SETTINGS[name].default if found in (None, "") else found

    helpdesk = _address(value("HELPDESK_EMAIL")) or _address(value("IMAP_USERNAME"))
    own = {address for address in (helpdesk, _address(value("MAIL_FROM")),
                                    _address(value("IMAP_USERNAME"))) if address}
    types = value("MAIL_ATTACHMENT_TYPES")
    if isinstance(types, str):
        types = types.split(",")
    return MailConfig(
        host=value("IMAP_HOST") or None,
        port=int(value("IMAP_PORT")),
        username=value("IMAP_USERNAME") or None,
        password=value("IMAP_PASSWORD") or None,
        mailbox=str(value("IMAP_MAILBOX")),
        processed_mailbox=str(value("IMAP_PROCESSED_MAILBOX")),
        ssl=flag(value("IMAP_SSL")),
        timeout=float(value("IMAP_TIMEOUT")),
        helpdesk_address=helpdesk,
        own_addresses=frozenset(own),
        plus_addressing=flag(value("MAIL_PLUS_ADDRESSING")),
        max_message_bytes=int(value("MAIL_MAX_MESSAGE_BYTES")),
        max_attachment_bytes=int(value("MAIL_MAX_ATTACHMENT_BYTES")),
        attachment_types=frozenset(t.strip().lower().lstrip(".") for t in types if t.strip()),
        sender_limit=int(value("MAIL_SENDER_LIMIT")),
        batch=max(1, int(value("MAIL_FETCH_BATCH"))),
        claim_days=max(1, int(value("MAIL_CLAIM_DAYS"))),
        attachments_dir=Path(str(value("ATTACHMENTS_DIR"))),
        languages=available_languages(),
    )


def is_own(address: str, own: frozenset[str]) -> bool:
    """The address is one of the tool's own, also plus-addressed (helpdesk+x@…)."""
    local, _at, domain = address.lower().partition("@")
    base = f"{local.split('+', 1)[0]}@{domain}"
    return address.lower() in own or base in own
