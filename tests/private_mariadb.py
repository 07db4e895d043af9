"""A private MariaDB server for the tests that stop, start or kill a database server.

The shared server on 127.0.0.1:3306 is used by everyone's test runs, so the fault
tests never stop it, reconfigure it or kill connections on it. Instead they start
their own `mariadbd` on a free loopback port with a throw-away data directory:

    with private_mariadb() as server:
        url = server.create_database("helpdesk")
        server.stop()    # SIGTERM, wait until it has shut down
        server.start()   # same port, same data directory

Every wait is bounded, and the server is always killed at the end (also if the
test fails half-way), its data directory removed.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymysql

MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
INSTALL_DB = shutil.which("mariadb-install-db") or "mysql_install_db"

# Small and quick: this server holds a few rows for a few seconds.
SERVER_OPTIONS = (
    "--innodb-buffer-pool-size=16M",
    "--innodb-log-file-size=8M",
    "--skip-name-resolve",
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_unicode_ci",
)

START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0


class ServerError(RuntimeError):
    """The private server did not install, start or stop in time."""


def free_port() -> int:
    """A TCP port on the loopback interface that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateMariaDB:
    """One mariadbd with its own data directory, socket and port."""

    def __init__(self, base: Path, wait_timeout: int | None = None) -> None:
        self.base = base
        self.datadir = base / "data"
        self.socket = base / "sock"
        self.port = free_port()
        self.wait_timeout = wait_timeout
        self.process: subprocess.Popen[bytes] | None = None

    # -- life cycle ------------------------------------------------------------

    def install(self) -> None:
        """Create the system tables (root may sign in over TCP without a password)."""
        result = subprocess.run(
            [INSTALL_DB, "--no-defaults", f"--datadir={self.datadir}",
             "--auth-root-authentication-method=normal", "--skip-test-db",
             f"--user={_user()}", *SERVER_OPTIONS],
            capture_output=True, timeout=120, check=False,
        )
        if result.returncode != 0:
            raise ServerError(
                f"mariadb-install-db failed ({result.returncode}):\n"
                f"{result.stdout.decode(errors='replace')[-2000:]}"
                f"{result.stderr.decode(errors='replace')[-2000:]}"
            )

    def _command(self) -> list[str]:
        command = [
            MARIADBD, "--no-defaults", f"--datadir={self.datadir}", f"--socket={self.socket}",
            f"--port={self.port}", "--bind-address=127.0.0.1", f"--user={_user()}",
            f"--pid-file={self.base / 'pid'}", f"--log-error={self.base / 'err.log'}",
            *SERVER_OPTIONS,
        ]
        if self.wait_timeout is not None:
            command.append(f"--wait-timeout={self.wait_timeout}")
        return command

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the server and wait until it answers a query."""
        if self.running:
            return
        self.process = subprocess.Popen(
            self._command(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise ServerError(f"mariadbd exited with {self.process.returncode}:\n"
                                  f"{self.error_log()}")
            try:
                self.connect(connect_timeout=1).close()
                return
            except pymysql.err.OperationalError:
                if time.monotonic() > deadline:
                    self.kill()
                    raise ServerError(f"mariadbd did not answer within {timeout} s:\n"
                                      f"{self.error_log()}") from None
                time.sleep(0.1)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Shut the server down cleanly (SIGTERM) and wait; kill it if it takes too long."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise ServerError(f"mariadbd did not stop within {timeout} s") from None

    def kill(self) -> None:
        """Kill the server at once (idempotent)."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def error_log(self) -> str:
        path = self.base / "err.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else "(no error log)"

    # -- using it ----------------------------------------------------------------

    def connect(self, database: str | None = None, connect_timeout: float = 5) -> Any:
        """A fresh administrative connection (root, autocommit)."""
        return pymysql.connect(host="127.0.0.1", port=self.port, user="root", password="",
                               database=database, connect_timeout=connect_timeout,
                               read_timeout=30, write_timeout=30, autocommit=True,
                               charset="utf8mb4")

    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        """Run one statement on a connection of its own; return the rows."""
        conn = self.connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql, args or None)
                return list(cursor.fetchall())
        finally:
            conn.close()

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of a database on this server."""
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/{database}?charset=utf8mb4"

    def create_database(self, name: str) -> str:
        """An empty utf8mb4 database (dropped first if it exists); returns its URL."""
        self.query(f"DROP DATABASE IF EXISTS `{name}`")
        self.query(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 "
                   "COLLATE utf8mb4_unicode_ci")
        return self.url(name)


def _user() -> str:
    """mariadbd refuses to run as root unless told to; elsewhere it runs as us."""
    import getpass

    return getpass.getuser()


@contextlib.contextmanager
def private_mariadb(wait_timeout: int | None = None) -> Iterator[PrivateMariaDB]:
    """A running private server; killed and removed afterwards whatever happens."""
    # A short path under /tmp: the Unix socket path must stay below ~100 characters.
    base = Path(tempfile.mkdtemp(prefix="helpdesk-mdb-", dir="/tmp"))
    server = PrivateMariaDB(base, wait_timeout=wait_timeout)
    atexit.register(server.kill)  # also if the test run is interrupted
    try:
        server.install()
        server.start()
        yield server
    finally:
        server.kill()
        atexit.unregister(server.kill)
        shutil.rmtree(base, ignore_errors=True)
