"""Run the OAuth stand-in: ``python -m dev.standin [--host 127.0.0.1] [--port 5010]``.

The consumer key and secret come from ``OAUTH_CONSUMER_KEY`` and
``OAUTH_CONSUMER_SECRET``. Exits with status 2 if they are missing or if
``HELPDESK_ENV=production``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from werkzeug.serving import make_server

from dev.standin import create_standin_app, refuse_in_production


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments, then serve until interrupted. Returns an exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m dev.standin",
        description="Local stand-in for MediaWiki's OAuth 1.0a (development and tests only).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=5010, help="port to bind (default 5010)")
    args = parser.parse_args(argv)

    try:
        refuse_in_production()
    except RuntimeError as exc:
        print(f"standin: {exc}", file=sys.stderr)
        return 2

    key = os.environ.get("OAUTH_CONSUMER_KEY", "").strip()
    secret = os.environ.get("OAUTH_CONSUMER_SECRET", "").strip()
    if not key or not secret:
        print(
            "standin: set OAUTH_CONSUMER_KEY and OAUTH_CONSUMER_SECRET to the consumer "
            "key and secret the application uses.",
            file=sys.stderr,
        )
        return 2

    app = create_standin_app({key: secret})
    server = make_server(args.host, args.port, app, threaded=True)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(
        f"OAuth stand-in (development only) at http://{host}:{server.server_port}/w/index.php",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
