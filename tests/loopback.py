"""Small HTTP servers on a loopback port for the stand-ins of tests: a JSON-answering
request handler, or a WSGI function, served for the duration of a block."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from typing import Any
from wsgiref.simple_server import make_server


class JsonHandler(BaseHTTPRequestHandler):
    """A request handler that answers JSON and logs nothing."""

    def send_json(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _running(server: HTTPServer) -> Iterator[str]:
    """`http://127.0.0.1:<port>` of `server`, serving in a thread until the block ends."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """`http://127.0.0.1:<port>`, served by `handler` for the duration of the block."""
    with _running(ThreadingHTTPServer(("127.0.0.1", 0), handler)) as url:
        yield url


@contextmanager
def serve_wsgi(app: Any) -> Iterator[str]:
    """`http://127.0.0.1:<port>`, served by the WSGI function `app` for the duration of
    the block (one request at a time)."""
    with _running(make_server("127.0.0.1", 0, app)) as url:
        yield url
