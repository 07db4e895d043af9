"""A stand-in for the Wikimedia REST API's per-article page views, on a loopback port.

GET /metrics/pageviews/per-article/<project>/all-access/user/<article>/daily/<start>/<end>
answers {"items": [{"views": N, ...}]} with the views a test set for (project, article),
or 404 (the real API's answer for a page without data). `requests` lists the articles asked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote

from tests.loopback import JsonHandler, serve


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

    class Handler(JsonHandler):
        def do_GET(self) -> None:
            parts = self.path.split("?")[0].strip("/").split("/")
            if state.down:
                self.send_json(503, {"title": "down"})
                return
            if len(parts) != 10 or parts[:3] != ["metrics", "pageviews", "per-article"]:
                self.send_json(400, {"title": "bad path"})
                return
            project, article = parts[3], unquote(parts[6])
            state.requests.append((project, article))
            views = state.views.get((project, article))
            if views is None:
                self.send_json(404, {"title": "Not found."})
                return
            self.send_json(200, {"items": [{"project": project, "article": article,
                                            "timestamp": parts[8], "views": views}]})

    with serve(Handler) as url:
        state.url = url
        yield state
