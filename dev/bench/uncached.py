"""The app as production configures it, but with its per-process caches turned off.

`make bench` serves this too (`gunicorn 'dev.bench.uncached:create_app()'`) to measure the
pages with nothing cached: the dashboard's query results and the public list's rendered
page are kept while no data changes (app/datacache.py), which a read-only load never
does, while in real use a write (any audited change) empties them.
"""

from __future__ import annotations

from flask import Flask

from app import create_app as create_helpdesk_app

NOTHING_CACHED = {"DATA_CACHE_SECONDS": 0, "PUBLIC_LIST_CACHE_SECONDS": 0}


def create_app() -> Flask:
    """The app from the environment (as the Procfile starts it), caches off."""
    return create_helpdesk_app(NOTHING_CACHED)
