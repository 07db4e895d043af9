"""`make run`: the app and the local OAuth stand-in in one process; Ctrl-C stops both."""

from __future__ import annotations

import os
import sys

from app import create_app
from dev.standin import create_standin_app
from dev.standin.server import serve_in_thread


def main() -> int:
    """Serve the stand-in on STANDIN_PORT and the app on PORT (127.0.0.1).

    The app reads its configuration like in production (app/core/config.py); the
    stand-in accepts the consumer the app was configured with. Only the two ports
    are this script's own settings.
    """
    port = int(os.environ.get("PORT", "5000"))
    standin_port = int(os.environ.get("STANDIN_PORT", "5010"))
    app = create_app()
    key, secret = app.config["OAUTH_CONSUMER_KEY"], app.config["OAUTH_CONSUMER_SECRET"]
    if not key or not secret:
        print("Set OAUTH_CONSUMER_KEY and OAUTH_CONSUMER_SECRET (`make run` does).",
              file=sys.stderr)
        return 2
    try:
        standin_server = serve_in_thread(create_standin_app({key: secret}), port=standin_port)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f" * OAuth stand-in (demo accounts) at {standin_server.base_url}/w/index.php")
    print(f" * Content Partnerships Helpdesk at http://127.0.0.1:{port}/")
    try:
        app.run(host="127.0.0.1", port=port, debug=False, use_reloader=False)
    except KeyboardInterrupt:
        pass
    finally:
        standin_server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
