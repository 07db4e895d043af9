"""Servers the tests start as child processes (gunicorn, Dovecot, PHP's server)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess


def stop_process_group(process: subprocess.Popen[bytes] | subprocess.Popen[str],
                       grace: float = 10) -> None:
    """End a server started in its own process group: SIGTERM, then SIGKILL after
    `grace` seconds. Safe to call on a process that has already ended."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
