"""In-memory, thread-safe state of one stand-in app.

One :class:`StandinState` lives in ``app.extensions["standin"]``.  Besides the
OAuth tokens it carries the testing knobs described in the package docstring
(``accounts``, ``identify_overrides``, ``identify_signing_secret``).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dev.standin.accounts import DemoAccount
from dev.standin.oauth1 import MAX_CLOCK_SKEW_SECONDS, OAuthError

REQUEST_TOKEN_TTL_SECONDS = 600
UNKNOWN_SIGN_IN_MESSAGE = (
    "This sign-in link is unknown, expired or already used. "
    "Go back to the application and start signing in again."
)


def _random_token(nbytes: int = 16) -> str:
    return secrets.token_hex(nbytes)


@dataclass
class RequestToken:
    """A temporary credential from ``Special:OAuth/initiate``."""

    key: str
    secret: str
    consumer_key: str
    callback: str
    form_token: str
    created_at: float
    account: DemoAccount | None = None
    verifier: str | None = None
    exchanged: bool = False

    @property
    def pending(self) -> bool:
        """True while the user has neither allowed nor cancelled."""
        return self.account is None and not self.exchanged


@dataclass(frozen=True)
class AccessToken:
    """A token credential from ``Special:OAuth/token``, bound to one account."""

    key: str
    secret: str
    consumer_key: str
    account: DemoAccount


class StandinState:
    """Consumers, accounts, tokens, seen nonces and testing knobs.

    ``accounts`` is a plain dict keyed by username; tests may assign to it
    directly or use :meth:`add_account` / :meth:`remove_account`.
    """

    def __init__(
        self,
        consumers: Mapping[str, str],
        accounts: Sequence[DemoAccount],
        issuer: str | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.consumers: dict[str, str] = dict(consumers)
        self.issuer = issuer.rstrip("/") if issuer else None
        self._initial_accounts = tuple(accounts)
        self.accounts: dict[str, DemoAccount] = {}
        self.identify_overrides: dict[str, Any] = {}
        self.identify_signing_secret: str | None = None
        self._request_tokens: dict[str, RequestToken] = {}
        self._access_tokens: dict[str, AccessToken] = {}
        self._seen_nonces: dict[tuple[str, str, int], int] = {}
        self.reset()

    # -- testing knobs -------------------------------------------------------

    def reset(self) -> None:
        """Forget all tokens and nonces, clear the identify knobs and restore
        the accounts the app was created with."""
        with self.lock:
            self.accounts.clear()
            for account in self._initial_accounts:
                self.accounts[account.username] = account
            self.identify_overrides.clear()
            self.identify_signing_secret = None
            self._request_tokens.clear()
            self._access_tokens.clear()
            self._seen_nonces.clear()

    def add_account(self, account: DemoAccount) -> None:
        """Add ``account``, replacing any account with the same username."""
        with self.lock:
            self.accounts[account.username] = account

    def remove_account(self, username: str) -> None:
        """Remove the account called ``username`` (no error if absent)."""
        with self.lock:
            self.accounts.pop(username, None)

    def account_list(self) -> list[DemoAccount]:
        """Return a snapshot of the accounts, in insertion order."""
        with self.lock:
            return list(self.accounts.values())

    # -- nonces --------------------------------------------------------------

    def remember_nonce(self, consumer_key: str, nonce: str, timestamp: int) -> None:
        """Record a nonce; raise :class:`OAuthError` if it was seen before."""
        now = time.time()
        with self.lock:
            horizon = now - 2 * MAX_CLOCK_SKEW_SECONDS
            for seen, ts in list(self._seen_nonces.items()):
                if ts < horizon:
                    del self._seen_nonces[seen]
            key = (consumer_key, nonce, timestamp)
            if key in self._seen_nonces:
                raise OAuthError("nonce already used", 401)
            self._seen_nonces[key] = timestamp

    # -- request tokens ------------------------------------------------------

    def create_request_token(self, consumer_key: str, callback: str) -> RequestToken:
        """Issue a new request token for ``consumer_key``."""
        token = RequestToken(
            key=_random_token(),
            secret=_random_token(),
            consumer_key=consumer_key,
            callback=callback,
            form_token=_random_token(),
            created_at=time.time(),
        )
        with self.lock:
            self._request_tokens[token.key] = token
        return token

    def get_request_token(self, key: str) -> RequestToken | None:
        """Return the request token ``key`` (in any state), or None."""
        with self.lock:
            return self._request_tokens.get(key)

    def pending_request_token(self, key: str) -> RequestToken | None:
        """Return ``key`` if the user can still allow or cancel it."""
        with self.lock:
            token = self._request_tokens.get(key)
            if token is None or not token.pending or self._expired(token):
                return None
            return token

    @staticmethod
    def _expired(token: RequestToken) -> bool:
        return time.time() - token.created_at > REQUEST_TOKEN_TTL_SECONDS

    def authorize(self, key: str, form_token: str, username: str) -> RequestToken:
        """Bind ``username`` to the pending request token and set a verifier.

        Raises :class:`OAuthError` (status 400) for an unknown/used token, a
        wrong form token or an unknown account.
        """
        with self.lock:
            token = self._checked_pending(key, form_token)
            account = self.accounts.get(username)
            if account is None:
                raise OAuthError("Choose one of the demo accounts.", 400)
            token.account = account
            token.verifier = _random_token()
            return token

    def cancel(self, key: str, form_token: str) -> RequestToken:
        """Invalidate the pending request token after the user cancelled."""
        with self.lock:
            token = self._checked_pending(key, form_token)
            del self._request_tokens[key]
            return token

    def _checked_pending(self, key: str, form_token: str) -> RequestToken:
        token = self.pending_request_token(key)
        if token is None:
            raise OAuthError(UNKNOWN_SIGN_IN_MESSAGE, 400)
        if not secrets.compare_digest(token.form_token.encode(), form_token.encode()):
            raise OAuthError(
                "The form token is missing or wrong. Go back to the application and "
                "start signing in again.",
                400,
            )
        return token

    def exchange(self, token: RequestToken, verifier: str | None) -> AccessToken:
        """Trade an authorized request token plus verifier for an access token.

        Works only once per request token.
        """
        with self.lock:
            if token.exchanged:
                raise OAuthError("the request token and verifier were already used", 401)
            if token.account is None or token.verifier is None:
                raise OAuthError("the request token has not been authorized", 401)
            if self._expired(token):
                raise OAuthError("the request token has expired", 401)
            if not verifier or not secrets.compare_digest(
                token.verifier.encode(), verifier.encode()
            ):
                raise OAuthError("invalid oauth_verifier", 401)
            token.exchanged = True
            access = AccessToken(
                key=_random_token(),
                secret=_random_token(),
                consumer_key=token.consumer_key,
                account=token.account,
            )
            self._access_tokens[access.key] = access
            return access

    # -- access tokens -------------------------------------------------------

    def get_access_token(self, key: str) -> AccessToken | None:
        """Return the access token ``key``, or None."""
        with self.lock:
            return self._access_tokens.get(key)

    def current_account(self, access: AccessToken) -> DemoAccount:
        """Return the account behind ``access`` as it is now.

        If an account with the same username still exists (possibly replaced
        with new details) that one is used; otherwise the account as it was
        when the user signed in.
        """
        with self.lock:
            return self.accounts.get(access.account.username, access.account)

    def identify_knobs(self) -> tuple[dict[str, Any], str | None]:
        """Return a snapshot of ``identify_overrides`` and the signing secret."""
        with self.lock:
            return dict(self.identify_overrides), self.identify_signing_secret
