"""Serve a WSGI app with gunicorn as production does, and watch it.

The command mirrors the Procfile's `web:` line (`--workers 2 --access-logfile -`)
on a loopback port. `Served` measures the cold start (launch until /healthz first
answers 200) and reads the workers' resident memory (VmRSS in /proc).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
START_TIMEOUT = 60.0


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_status(port: int, path: str, timeout: float = 2.0) -> int | None:
    """The status of GET path, or None when nothing answers."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()
    except OSError:
        return None


class Served:
    """A gunicorn master and its workers, started by `start()`."""

    def __init__(self, app_spec: str, env: dict[str, str], log_path: Path,
                 workers: int = 2) -> None:
        self.app_spec = app_spec
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.cold_start_s: float | None = None
        self._log: IO[bytes] | None = None

    def command(self) -> list[str]:
        """The Procfile's web command, bound to loopback."""
        return [str(GUNICORN), "--bind", f"127.0.0.1:{self.port}", "--workers",
                str(self.workers), "--access-logfile", "-", self.app_spec]

    def start(self) -> float:
        """Launch gunicorn; return seconds until /healthz first answered 200."""
        self._log = self.log_path.open("ab")
        started = time.perf_counter()
        self.process = subprocess.Popen(self.command(), cwd=ROOT, env=self.env,  # noqa: S603
                                        stdout=self._log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = started + START_TIMEOUT
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; "
                                   f"see {self.log_path}")
            if http_status(self.port, "/healthz", timeout=1.0) == 200:
                self.cold_start_s = time.perf_counter() - started
                return self.cold_start_s
            time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz within {START_TIMEOUT} s; "
                           f"see {self.log_path}")

    def worker_pids(self) -> list[int]:
        """The pids of the master's child processes (the workers)."""
        if self.process is None:
            return []
        pid = self.process.pid
        children: list[int] = []
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            children += [int(part) for part in task.read_text().split()]
        return sorted(children)

    def worker_rss_mb(self) -> dict[int, float]:
        """VmRSS of each worker, in MB (MiB)."""
        sizes: dict[int, float] = {}
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes[pid] = int(line.split()[1]) / 1024
            except OSError:
                continue
        return sizes

    def stop(self) -> None:
        """Stop the master (and so its workers) and wait for it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
