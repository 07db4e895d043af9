"""A throwaway Dovecot IMAP server for the mailbox tests.

Debian's `dovecot` (package dovecot-imapd) started by hand as an unprivileged process on
a free loopback port, with its own configuration, maildir, passwd-file and run folders
under a temporary directory: no system configuration is read or touched (`-c` names our
file; Dovecot's own defaults fill in the rest). When the tests run as root, the server
runs as `nobody` (Dovecot refuses to run its login processes as root); otherwise as us.

    with dovecot_server() as server:
        server.append(b"From: …")            # IMAP APPEND into INBOX
        server.uids("Processed")              # what is in a folder
"""

from __future__ import annotations

import atexit
import contextlib
import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tests.processes import stop_process_group

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USERNAME = "helpdesk@example.org"
PASSWORD = "imap-secret-for-tests"
START_TIMEOUT = 20.0

CONFIG = """\
# A throwaway Dovecot for the helpdesk's tests (tests/mail/dovecot.py).
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
mail_location = maildir:{base}/mail/%n
mail_fsync = never
mail_privileged_group =
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%n
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
service auth {{
  unix_listener auth-userdb {{
    mode = 0600
    user = {user}
  }}
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
"""


class DovecotError(RuntimeError):
    """The server did not start in time (its log says why)."""


def free_port() -> int:
    """A TCP port on the loopback interface that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _account() -> tuple[str, str, int, int]:
    """Who the server runs as: us, or `nobody` when we are root."""
    uid = os.geteuid()
    if uid == 0:
        nobody = pwd.getpwnam("nobody")
        return nobody.pw_name, grp.getgrgid(nobody.pw_gid).gr_name, nobody.pw_uid, nobody.pw_gid
    return pwd.getpwuid(uid).pw_name, grp.getgrgid(os.getegid()).gr_name, uid, os.getegid()


class Dovecot:
    """One running Dovecot with one account (USERNAME / PASSWORD)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.port = free_port()
        self.host = "127.0.0.1"
        self.username, self.password = USERNAME, PASSWORD
        self.process: subprocess.Popen[bytes] | None = None

    def write_config(self) -> Path:
        user, group, uid, gid = _account()
        for sub in ("run", "state", "mail", "home"):
            (self.base / sub).mkdir(exist_ok=True)
        (self.base / "passwd").write_text(f"{USERNAME}:{{PLAIN}}{PASSWORD}\n")
        config = self.base / "dovecot.conf"
        config.write_text(CONFIG.format(base=self.base, user=user, group=group, uid=uid,
                                        gid=gid, port=self.port))
        if os.geteuid() == 0:
            for path in [self.base, *self.base.rglob("*")]:
                os.chown(path, uid, gid)
        return config

    def start(self) -> None:
        """Start the server in the foreground of its own process; wait until it greets."""
        config = self.write_config()
        user: int | None = None
        group: int | None = None
        extra_groups: list[int] | None = None
        if os.geteuid() == 0:
            _user, _group, user, group = _account()
            extra_groups = []
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            user=user, group=group, extra_groups=extra_groups,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise DovecotError(f"dovecot exited with {self.process.returncode}:\n{self.log()}")
            try:
                self.client().logout()
                return
            except (OSError, imaplib.IMAP4.error):
                if time.monotonic() > deadline:
                    self.stop()
                    raise DovecotError(f"dovecot did not answer in {START_TIMEOUT} s:\n"
                                       f"{self.log()}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        """Stop the server (and every process it started)."""
        process, self.process = self.process, None
        if process is not None:
            stop_process_group(process)

    def log(self) -> str:
        path = self.base / "dovecot.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else "(no log)"

    # -- the mailbox, as a mail client sees it ------------------------------------------

    def client(self) -> imaplib.IMAP4:
        """A signed-in IMAP connection (the caller logs out)."""
        connection = imaplib.IMAP4(self.host, self.port, timeout=10)
        connection.login(self.username, self.password)
        return connection

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        """Put messages into a folder with IMAP APPEND, as a mail server delivers them."""
        connection = self.client()
        try:
            for raw in messages:
                status, data = connection.append(folder, None, None, raw)
                assert status == "OK", data
        finally:
            connection.logout()

    def uids(self, folder: str = "INBOX") -> list[int]:
        """The UIDs of the messages in a folder (none when it does not exist)."""
        connection = self.client()
        try:
            status, _data = connection.select(f'"{folder}"')
            if status != "OK":
                return []
            status, data = connection.uid("SEARCH", "UNDELETED")
            return [int(uid) for uid in data[0].split()]
        finally:
            connection.logout()

    def count(self, folder: str = "INBOX") -> int:
        """How many messages a folder holds."""
        return len(self.uids(folder))

    def empty(self) -> None:
        """Delete every message of INBOX and Processed."""
        connection = self.client()
        try:
            for folder in ("INBOX", "Processed"):
                status, data = connection.select(f'"{folder}"')
                if status != "OK":
                    continue
                if int(data[0] or 0):
                    connection.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                    connection.expunge()
                connection.close()
        finally:
            connection.logout()


@contextlib.contextmanager
def dovecot_server() -> Iterator[Dovecot]:
    """A running throwaway Dovecot; stopped and removed afterwards whatever happens."""
    base = Path(tempfile.mkdtemp(prefix="helpdesk-imap-", dir="/tmp"))
    base.chmod(0o755)
    server = Dovecot(base)
    atexit.register(server.stop)  # also if the test run is interrupted
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
