"""Local stand-in for MediaWiki's Extension:OAuth (OAuth 1.0a), for development and tests.

It speaks the protocol the ``mwoauth`` client uses against Meta-Wiki, at
``/w/index.php?title=Special:OAuth/<action>``: ``initiate``, ``authenticate``
(also ``authorize``; an HTML page where you pick a demo account), ``token``
and ``identify`` (an HS256 JWT). Point the consumer app's ``mw_uri`` at
``http://127.0.0.1:<port>/w/index.php``.

Usage::

    from dev.standin import create_standin_app, serve_in_thread
    app = create_standin_app({"consumer-key": "consumer-secret"})
    with serve_in_thread(app) as server:
        ...  # mwoauth.initiate(server.mw_uri, ConsumerToken(...), callback=...)

Or from a shell: ``OAUTH_CONSUMER_KEY=.. OAUTH_CONSUMER_SECRET=.. python -m dev.standin``.

Testing knobs, on ``state = app.extensions["standin"]`` (a :class:`StandinState`):

* ``state.accounts`` -- dict of username -> :class:`DemoAccount`, shown on the
  consent page. Add or replace one with ``state.add_account(DemoAccount(...))``
  (or ``state.accounts[name] = ...``); remove one with ``state.remove_account(name)``.
  Model a renamed user with a new username and the same ``central_id``.
* ``state.identify_overrides`` -- dict merged into the JWT claims of every
  following identify response (a value of ``None`` removes that claim), e.g.
  ``{"exp": time.time() - 3600, "iat": time.time() - 3700}``, ``{"aud": "other"}``,
  ``{"nonce": "x"}``, ``{"iss": "http://evil.example"}``. Stays until cleared or reset.
* ``state.identify_signing_secret`` -- if set, the JWT is signed with this
  secret instead of the consumer secret.
* ``state.reset()`` -- forget all tokens and nonces, clear both identify knobs
  and restore the accounts the app was created with.

The JWT ``sub`` is the account's central id as a decimal *string*
(``"1001"``): PyJWT >= 2.10, which ``mwoauth`` 0.4.0 uses, rejects a numeric
``sub``. Set ``identify_overrides["sub"] = 1001`` to get the numeric form that
older MediaWiki versions send.

The stand-in refuses to start when ``HELPDESK_ENV=production``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from flask import Flask

from dev.standin.accounts import DEMO_ACCOUNTS, DemoAccount
from dev.standin.server import RunningServer, serve_in_thread
from dev.standin.state import StandinState

__all__ = [
    "DEMO_ACCOUNTS",
    "PRODUCTION_REFUSAL",
    "DemoAccount",
    "RunningServer",
    "StandinState",
    "create_standin_app",
    "refuse_in_production",
    "serve_in_thread",
]

PRODUCTION_REFUSAL = (
    "The OAuth stand-in is for development and tests only; "
    "it refuses to run when HELPDESK_ENV=production."
)


def refuse_in_production() -> None:
    """Raise ``RuntimeError`` if ``HELPDESK_ENV`` is ``production``."""
    if os.environ.get("HELPDESK_ENV", "").strip().lower() == "production":
        raise RuntimeError(PRODUCTION_REFUSAL)


def create_standin_app(
    consumers: Mapping[str, str],
    accounts: Sequence[DemoAccount] = DEMO_ACCOUNTS,
    issuer: str | None = None,
) -> Flask:
    """Create the stand-in Flask app.

    ``consumers`` maps consumer keys to consumer secrets. ``accounts`` are the
    demo accounts offered on the consent page. ``issuer`` overrides the JWT
    ``iss`` claim, which otherwise is the base URL the request came in on
    (e.g. ``http://127.0.0.1:5010``).
    """
    refuse_in_production()
    if not consumers:
        raise ValueError("at least one consumer key/secret is needed")
    from dev.standin.views import bp

    app = Flask(__name__)
    app.extensions["standin"] = StandinState(consumers, accounts, issuer)
    app.register_blueprint(bp)
    return app
