"""The helpdesk mailbox over IMAP (the standard library's imaplib).

TLS from the start on port 993, STARTTLS on port 143 (with IMAP_SSL, the default), plain
IMAP only when IMAP_SSL is off (a server on the same machine, the tests). Messages are
read with BODY.PEEK (they stay unread for people looking at the mailbox) and moved to
the Processed folder (UID MOVE, else COPY, \\Deleted and EXPUNGE) only when the caller
says the message is safely stored.
"""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from types import TracebackType
from typing import Any

from app.mail.settings import MailConfig

_UID = re.compile(rb"UID (\d+)")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
_LIST = re.compile(rb'^\([^)]*\) (?:"(?:[^"\\]|\\.)*"|NIL) (.+)$')
_CHUNK = 200  # UIDs per FETCH of sizes


class MailboxError(Exception):
    """The mailbox could not be used; `unreachable` when the server could not be reached."""

    def __init__(self, message: str, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


@dataclass(frozen=True)
class Envelope:
    """A message waiting in the mailbox: its UID and size in bytes."""

    uid: int
    size: int


def _quoted(name: str) -> str:
    """A mailbox name as an IMAP quoted string."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(command: Callable[[], tuple[str, list[Any]]], what: str) -> list[Any]:
    """Run an IMAP command; its data, or MailboxError when the server refused it or the
    connection broke."""
    try:
        status, data = command()
    except imaplib.IMAP4.abort as exc:
        raise MailboxError(f"{what}: {exc}", unreachable=True) from exc
    except imaplib.IMAP4.error as exc:
        raise MailboxError(f"{what}: {exc}") from exc
    except OSError as exc:
        raise MailboxError(f"{what}: {type(exc).__name__}: {exc}", unreachable=True) from exc
    if status != "OK":
        detail = b" ".join(item for item in data if isinstance(item, bytes)).decode(
            "utf-8", "replace")
        raise MailboxError(f"{what} failed: {status} {detail}".strip())
    return data


class Mailbox:
    """One connection to the helpdesk mailbox, its folder selected."""

    def __init__(self, config: MailConfig) -> None:
        self.config = config
        self.connection: imaplib.IMAP4 | None = None

    def __enter__(self) -> Mailbox:
        self.connect()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    @property
    def imap(self) -> imaplib.IMAP4:
        """The open connection."""
        if self.connection is None:
            raise MailboxError("not connected")
        return self.connection

    def _open(self) -> imaplib.IMAP4:
        config = self.config
        host = str(config.host)
        if config.ssl and not config.starttls:
            return imaplib.IMAP4_SSL(host, config.port, ssl_context=ssl.create_default_context(),
                                     timeout=config.timeout)
        connection = imaplib.IMAP4(host, config.port, timeout=config.timeout)
        if config.starttls:
            connection.starttls(ssl_context=ssl.create_default_context())
        return connection

    def connect(self) -> None:
        """Connect, sign in, select IMAP_MAILBOX and make sure the Processed folder exists."""
        config = self.config
        if not config.host:
            raise MailboxError("IMAP_HOST is not set")
        try:
            self.connection = self._open()
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"{type(exc).__name__}: {exc}", unreachable=True) from exc
        imap = self.imap
        try:
            _check(lambda: imap.login(config.username or "", config.password or ""), "LOGIN")
            _check(lambda: imap.select(_quoted(config.mailbox)), f"SELECT {config.mailbox}")
            if config.processed_mailbox not in self._folders():
                _check(lambda: imap.create(_quoted(config.processed_mailbox)),
                       f"CREATE {config.processed_mailbox}")
        except MailboxError:
            self.close()
            raise

    def _folders(self) -> set[str]:
        """The names of the account's folders."""
        names = set()
        for line in _check(lambda: self.imap.list(), "LIST"):
            match = _LIST.match(line) if isinstance(line, bytes) else None
            if match:
                name = match.group(1).decode("utf-8", "replace")
                if name.startswith('"') and name.endswith('"'):
                    name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
                names.add(name)
        return names

    def messages(self, limit: int) -> list[Envelope]:
        """The first `limit` messages of the folder (oldest first), with their sizes."""
        imap = self.imap
        data = _check(lambda: imap.uid("SEARCH", "UNDELETED"), "SEARCH")
        first = data[0] if data and isinstance(data[0], bytes) else b""
        uids = sorted(int(uid) for uid in first.split())[:limit]
        sizes: dict[int, int] = {}
        for start in range(0, len(uids), _CHUNK):
            chunk = ",".join(str(uid) for uid in uids[start:start + _CHUNK])
            for item in _check(partial(imap.uid, "FETCH", chunk, "(RFC822.SIZE)"), "FETCH"):
                line = item[0] if isinstance(item, tuple) else item
                if not isinstance(line, bytes):
                    continue
                uid, size = _UID.search(line), _SIZE.search(line)
                if uid and size:
                    sizes[int(uid.group(1))] = int(size.group(1))
        return [Envelope(uid, sizes[uid]) for uid in uids if uid in sizes]

    def _fetch(self, uid: int, part: str) -> bytes:
        imap = self.imap
        data = _check(lambda: imap.uid("FETCH", str(uid), f"(BODY.PEEK[{part}])"), "FETCH")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                return item[1]
        raise MailboxError(f"message {uid} is no longer in the mailbox")

    def fetch(self, uid: int) -> bytes:
        """A whole message, as the server has it (it stays unread)."""
        return self._fetch(uid, "")

    def fetch_header(self, uid: int) -> bytes:
        """Only the header block of a message (one too large to read)."""
        return self._fetch(uid, "HEADER")

    def done(self, uids: list[int]) -> None:
        """Move stored messages to the Processed folder (one command for all of them)."""
        if not uids:
            return
        imap, numbers = self.imap, ",".join(str(uid) for uid in uids)
        target = _quoted(self.config.processed_mailbox)
        capabilities = {str(c).upper() for c in imap.capabilities}
        if "MOVE" in capabilities:
            _check(lambda: imap.uid("MOVE", numbers, target), "MOVE")
            return
        _check(lambda: imap.uid("COPY", numbers, target), "COPY")
        _check(lambda: imap.uid("STORE", numbers, "+FLAGS.SILENT", r"(\Deleted)"), "STORE")
        if "UIDPLUS" in capabilities:
            _check(lambda: imap.uid("EXPUNGE", numbers), "EXPUNGE")
        else:
            _check(lambda: imap.expunge(), "EXPUNGE")

    def close(self) -> None:
        """Log out (quietly: the connection may already be gone)."""
        connection, self.connection = self.connection, None
        if connection is None:
            return
        try:
            if connection.state == "SELECTED":
                connection.close()
            connection.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
