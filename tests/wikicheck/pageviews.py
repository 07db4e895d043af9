"""A stand-in for the Wikimedia REST API's per-article page views, on a loopback port.

GET /metrics/pageviews/per-article/<project>/all-access/user/<article>/daily/<start>/<end>
answers {"items": [{"views": N, ...}]} with the views a test set for (project, article),
or 404 (the real API's answer for a page without data). `requests` lists the articles asked.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote


class PageViews:
    """The stand-in's state: views per (project, article) and the requests it answered."""

    def __init__(self) -> None:
        """Nothing known yet."""
        self.views: dict[tuple[str, str], int] = {}
        self.requests: list[tuple[str, str]] = []
        self.down = False
        self.url = ""


@contextmanager
def serve_pageviews() -> Iterator[PageViews]:
    """Run the stand-in for the duration of the block."""
    state = PageViews()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = self.path.split("?")[0].strip("/").split("/")
            if state.down:
                self._answer(503, {"title": "down"})
                return
            if len(parts) != 10 or parts[:3] != ["metrics", "pageviews", "per-article"]:
                self._answer(400, {"title": "bad path"})
                return
            project, article = parts[3], unquote(parts[6])
            state.requests.append((project, article))
            views = state.views.get((project, article))
            if views is None:
                self._answer(404, {"title": "Not found."})
                return
            self._answer(200, {"items": [{"project": project, "article": article,
                                          "timestamp": parts[8], "views": views}]})

        def _answer(self, status: int, body: dict[str, object]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield state
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
