"""Serve a stand-in app on a background thread (for tests and scripts)."""

from __future__ import annotations

import threading
from types import TracebackType

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server


class RunningServer:
    """A stand-in app listening on a real socket, served by a daemon thread."""

    def __init__(self, server: BaseWSGIServer, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread
        self.host: str = server.host
        self.port: int = server.server_port
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.base_url = f"http://{host}:{self.port}"
        self.mw_uri = f"{self.base_url}/w/index.php"

    def shutdown(self) -> None:
        """Stop serving and close the socket (safe to call twice)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown()


def serve_in_thread(app: Flask, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    """Serve ``app`` on ``host:port`` (``port=0`` picks a free port) in a thread."""
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"standin-{server.server_port}",
        daemon=True,
    )
    thread.start()
    return RunningServer(server, thread)
